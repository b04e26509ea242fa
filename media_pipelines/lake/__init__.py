"""The lake and the landing zone as object stores (local folder or S3), and the table layout on them."""
