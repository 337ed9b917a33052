"""Who acts for an account: members and their built-in role, access requests, invitations, the
roles an account defines and the permission catalogue, and the account a user acts for (R1, R5,
R7). It serves any kind of account and depends only on `account`."""
