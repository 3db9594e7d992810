"""Hungarian settlements, Budapest districts and historic Hungarian names of places now abroad."""
