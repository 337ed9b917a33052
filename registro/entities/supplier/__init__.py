"""What an account that supplies does after registering (R9, R4.3): its commercial profile, its
areas of interest (UNSPSC) and its document library. Above registration, below the console."""
