import { describe, expect, it } from 'vitest';
import { describeNotification, fullName } from './notificationText.js';

const actor = { id: 2, first_name: 'Bob', last_name: 'Builder' };
const say = (kind, subject) => describeNotification({ kind, actor, subject });

describe('describeNotification', () => {
  it('has a sentence and a destination for every kind of API.md', () => {
    expect(say('follow_request', { request_id: 4 })).toEqual({ text: 'wants to follow you.', href: '/users/2' });
    expect(say('follow_accepted', { user_id: 2 })).toEqual({ text: 'accepted your follow request.', href: '/users/2' });
    expect(say('new_follower', { user_id: 2 })).toEqual({ text: 'started following you.', href: '/users/2' });
    expect(say('group_invitation', { invitation_id: 1, group_id: 8, group_title: 'Chess' })).toEqual({
      text: 'invited you to join the group Chess.',
      href: '/groups/8'
    });
    expect(say('group_join_request', { request_id: 1, group_id: 8, group_title: 'Chess' }).text).toBe(
      'asked to join your group Chess.'
    );
    expect(say('group_join_accepted', { group_id: 8, group_title: 'Chess' }).text).toBe(
      'accepted your request to join Chess.'
    );
    expect(say('group_invitation_accepted', { group_id: 8, group_title: 'Chess', user_id: 2 }).text).toBe(
      'accepted your invitation to Chess.'
    );
    const event = say('group_event', {
      event_id: 5,
      event_title: 'Blitz night',
      starts_at: '2030-05-01T18:00:00Z',
      group_id: 8,
      group_title: 'Chess'
    });
    expect(event.text).toMatch(/^created the event Blitz night in Chess, on .+\.$/);
    expect(event.href).toBe('/groups/8?tab=events');
    expect(say('post_comment', { post_id: 12, comment_id: 30 })).toEqual({
      text: 'commented on your post.',
      href: '/posts/12'
    });
  });

  it('says which reaction, to a post or to a comment, and leads to the post', () => {
    expect(say('reaction', { post_id: 12, comment_id: null, reaction: 'haha' })).toEqual({
      text: 'reacted 😆 to your post.',
      href: '/posts/12'
    });
    expect(say('reaction', { post_id: 12, comment_id: 30, reaction: 'love' })).toEqual({
      text: 'reacted ❤️ to your comment.',
      href: '/posts/12'
    });
  });

  it('still says something for a kind it does not know, or a broken subject', () => {
    expect(say('brand_new_kind', {})).toEqual({ text: 'sent you a notification.', href: null });
    expect(say('group_invitation', undefined).href).toBeNull();
  });
});

describe('fullName', () => {
  it('joins the names, with a fallback', () => {
    expect(fullName(actor)).toBe('Bob Builder');
    expect(fullName(null)).toBe('Someone');
  });
});
