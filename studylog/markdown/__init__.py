"""The post as a Markdown document.

`headings`: the one `Heading` model, a fast heading finder and the matcher
that says which configured section a heading is. `document`: markdown-it's
block tokens with line maps. `placement`: where a new entry goes. `items`:
list items and Q./A. lines. `extraction`: entries read back out of a post;
`model`: the sections and entries it gives back, importable without it.
"""
