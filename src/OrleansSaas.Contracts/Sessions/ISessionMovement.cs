namespace OrleansSaas.Contracts.Sessions;

/// <summary>
/// The cluster's handle on where a session lives (same key and activation as <see cref="ISessionGrain"/>).
/// Kept apart from the tenant-facing interface: only cluster operations move sessions.
/// </summary>
[Alias("session-movement")]
public interface ISessionMovement : IGrainWithStringKey
{
    /// <summary>
    /// Starts migrating the activation, with its state, to the silo once this call completes; the session
    /// reconnects there by itself.
    /// </summary>
    [Alias("move-to")]
    Task<MoveStart> MoveTo(string silo, string cause);

    /// <summary>The silo hosting the session, activating (and reconnecting) it if needed; null when it does not exist.</summary>
    [Alias("locate")]
    Task<string?> Locate();
}

[GenerateSerializer, Alias("move-start")]
public enum MoveStart
{
    /// <summary>The migration starts once the call completes.</summary>
    Started = 0,
    /// <summary>The session already lives on that silo.</summary>
    AlreadyThere = 1,
    NotFound = 2,
}
