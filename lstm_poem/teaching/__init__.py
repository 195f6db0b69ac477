"""Teaching views: inside the network, one step at a time, charts, the copy detector, the guessing game,
the class board and the improvements table."""
