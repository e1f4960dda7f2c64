"""Who may see what. Each rule is a SQL predicate, so lists filter in the same query that reads
them (no query per row), and single reads and media checks reuse the very same text.

Parameter conventions: in MEDIA_VISIBLE_SQL, `m` is the media row and `$2` the viewer's id.
"""

# An uploaded image is visible to its owner, and to every logged-in user while it is someone's
# avatar. Posts, comments and messages add their own clauses as they arrive.
MEDIA_VISIBLE_SQL = """
    m.owner_id = $2
    OR EXISTS (SELECT 1 FROM users u WHERE u.avatar_id = m.id)
"""
