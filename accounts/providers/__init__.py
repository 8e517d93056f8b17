"""Identity providers: ``local`` (this site) and ``cognito`` (an Amazon Cognito user pool).

Both answer sign-in and refresh with the shape of Cognito's InitiateAuth AuthenticationResult,
and both issue RS256 JWTs that accounts.tokens validates through the same code.
"""
