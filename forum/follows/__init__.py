"""Following questions, tags and categories (issue 13).

`models.Follow` is one row per (member, followed thing); `services` follows and
unfollows (and follows a question for its asker and answerers); `fanout` tells the
followers, in the task worker after commit, of new answers, acceptances and new
questions in what they follow; `selectors` reads what a member follows.
"""
