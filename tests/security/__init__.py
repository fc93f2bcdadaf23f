"""One regression test per finding of the abuse review, through HTTP, on both databases."""
