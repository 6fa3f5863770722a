"""Pages of the sharing check and the disclosure log: the staff views of a student and a vendor."""
