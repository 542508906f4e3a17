using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Contracts.Simulation;

/// <summary>
/// A phone number on the simulated WhatsApp network (key: E.164 number). It plays the phone that scans
/// QR codes, the account that linked devices (our sessions) connect to, and the inbox the network keeps
/// until the linked device has stored a message.
/// </summary>
[Alias("sim-phone")]
public interface ISimulatedPhoneGrain : IGrainWithStringKey
{
    [Alias("scan")]
    Task<PairOutcome> ScanQr(string qrValue, string profileName);

    /// <summary>The phone's user types the pairing code a session showed for this number.</summary>
    [Alias("enter-code")]
    Task<PairOutcome> EnterPairingCode(string sessionKey, string code, string profileName);

    /// <summary>A linked device reconnects with the credentials it got when it paired.</summary>
    [Alias("link")]
    Task<LinkOutcome> Link(string sessionKey, string credentials);

    [Alias("unlink")]
    Task Unlink(string sessionKey);

    /// <summary>The network takes a message for this number; a message id it has seen before is ignored.</summary>
    [Alias("accept")]
    Task Accept(SimulatedEnvelope envelope);

    /// <summary>Someone shows "typing…" to this number.</summary>
    [Alias("typing"), Orleans.Concurrency.OneWay]
    Task Typing(string fromNumber, DateTimeOffset until);

    /// <summary>This number's user read a message it received; the network tells the sender.</summary>
    [Alias("read")]
    Task MarkRead(string networkMessageId, string fromNumber);
}

[GenerateSerializer, Alias("pair-outcome")]
public enum PairOutcome
{
    Paired = 0,
    InvalidQr = 1,
    Rejected = 2,
    /// <summary>The number's device is a session of another tenant; a scan never unlinks it (it must log out first).</summary>
    LinkedToAnotherTenant = 3,
}

[GenerateSerializer, Alias("link-outcome")]
public enum LinkOutcome
{
    Linked = 0,
    Revoked = 1,
}

[GenerateSerializer, Immutable, Alias("sim-envelope")]
public sealed record SimulatedEnvelope(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string FromNumber,
    [property: Id(2)] string FromSessionKey,
    [property: Id(3)] string ToNumber,
    [property: Id(4)] MessageContent Content,
    [property: Id(6)] DateTimeOffset SentAt);
