"""Japanese text handling shared by keywords, nicknames and (later) the NG-word filter."""
