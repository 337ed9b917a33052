"""The Directorio (R8.1, R2.4, issue 11): any user acting for an active account searches every
active account, opens its commercial profile and downloads the documents it shows. Above the
supplier package (profiles, areas, library), below the console."""
