namespace OrleansSaas.Contracts.Sessions;

[GenerateSerializer, Alias("session-status")]
public enum SessionStatus
{
    Created = 0,
    Pairing = 1,
    Connected = 2,
    Disconnected = 3,
    LoggedOut = 4,
}
