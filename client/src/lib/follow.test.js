import { describe, expect, it, vi } from 'vitest';
import { followControl, followersDelta, mayMessage, runFollowAction } from './follow.js';

describe('followControl', () => {
  it('offers what each state allows', () => {
    expect(followControl('none', true)).toMatchObject({ action: 'follow', label: 'Follow', confirm: false });
    expect(followControl('none', false)).toMatchObject({ action: 'follow', label: 'Request to follow' });
    expect(followControl('requested', false)).toMatchObject({ action: 'cancel', label: 'Requested', confirm: false });
    expect(followControl('following', true)).toMatchObject({ action: 'unfollow', label: 'Unfollow', confirm: true });
    expect(followControl('self', true)).toMatchObject({ action: 'edit', label: 'Edit profile' });
  });
});

describe('runFollowAction', () => {
  function answer(status, body) {
    const fetch = vi.fn(async () =>
      status === 204 ? new Response(null, { status }) : Response.json(body, { status })
    );
    vi.stubGlobal('fetch', fetch);
    return fetch;
  }

  it("follows and returns the server's state", async () => {
    const fetch = answer(200, { follow_state: 'requested' });
    await expect(runFollowAction(4, 'follow')).resolves.toBe('requested');
    expect(fetch).toHaveBeenCalledWith('/api/users/4/follow', expect.objectContaining({ method: 'POST' }));
  });

  it('unfollows and cancels with DELETE', async () => {
    for (const action of ['unfollow', 'cancel']) {
      const fetch = answer(204);
      await expect(runFollowAction(4, action)).resolves.toBe('none');
      expect(fetch).toHaveBeenCalledWith('/api/users/4/follow', expect.objectContaining({ method: 'DELETE' }));
    }
  });

  it('has nothing to run for self', async () => {
    await expect(runFollowAction(4, 'edit')).rejects.toThrow();
  });
});

describe('followersDelta', () => {
  it('counts only becoming or stopping being a follower', () => {
    expect(followersDelta('none', 'following')).toBe(1);
    expect(followersDelta('following', 'none')).toBe(-1);
    expect(followersDelta('none', 'requested')).toBe(0);
    expect(followersDelta('requested', 'none')).toBe(0);
  });
});

describe('mayMessage', () => {
  it('needs one of the two to follow the other, and no block', () => {
    expect(mayMessage({ follow_state: 'following', follows_you: false })).toBe(true);
    expect(mayMessage({ follow_state: 'none', follows_you: true })).toBe(true);
    expect(mayMessage({ follow_state: 'requested', follows_you: false })).toBe(false);
    expect(mayMessage({ follow_state: 'none', follows_you: false })).toBe(false);
    expect(mayMessage({ follow_state: 'none', follows_you: true, blocked: true })).toBe(false);
  });
});
