using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Grains.Sessions;

[GenerateSerializer, Alias("session-state")]
public sealed class SessionState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string Engine { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public SessionStatus Status { get; set; }
    /// <summary>True while the session should hold a live connection (or be pairing); failover acts on it.</summary>
    [Id(5)] public bool ShouldBeConnected { get; set; }
    [Id(6)] public string? PhoneNumber { get; set; }
    [Id(7)] public string? ProfileName { get; set; }
    /// <summary>Engine credentials, encrypted with the cluster's credential key (see <see cref="CredentialProtector"/>).</summary>
    [Id(8)] public byte[]? EncryptedCredentials { get; set; }
    [Id(9)] public List<StatusChange> History { get; set; } = [];
    [Id(10)] public string? ConnectedSilo { get; set; }
    [Id(11)] public string? PreviousSilo { get; set; }
    [Id(12)] public int MoveCount { get; set; }
    [Id(13)] public DateTimeOffset? LastConnectedAt { get; set; }
    [Id(14)] public SessionSettings Settings { get; set; } = new(null, null);
    /// <summary>Where the network posts this session's inbound webhooks, for engines that receive that way.</summary>
    [Id(15)] public string? WebhookUrl { get; set; }
    /// <summary>The period of the backstop reminder as registered; null while none is. Reminders outlive activations.</summary>
    [Id(16)] public TimeSpan? BackstopPeriod { get; set; }
}
