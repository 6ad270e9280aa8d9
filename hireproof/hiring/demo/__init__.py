"""``hireproof demo``'s sample data: staff, an opening and candidates at every stage.

Not an action: a script over the actions. ``cast`` says who is in the demo and the recipe each
candidate follows (where they are left, and how they get there); ``loader`` plays the recipes
through the real actions (``hireproof.hiring.actions``), so every row, audit event and receipt
it makes is one the product itself would make.
"""
