"""What mapsite learns from git: when plans changed, how their dates moved, what changed since a commit.

Every git call goes through `runner.run`, so all of them fail the same way: a `GitError` in one line.
"""
