namespace OrleansSaas.Contracts.Engines;

/// <summary>One setting an engine takes at session creation (inside the engine's settings object).</summary>
[GenerateSerializer, Immutable, Alias("engine-setting")]
public sealed record EngineSetting(
    [property: Id(0)] string Name,
    [property: Id(1)] string Type,
    [property: Id(2)] bool Required,
    [property: Id(3)] bool Secret,
    [property: Id(4)] string Description);

/// <summary>Send pacing an engine's network imposes, used when a session sets none of its own.</summary>
/// <param name="RecipientBurst">Messages to one recipient that may go at once before the gap applies (the network lends from later).</param>
[GenerateSerializer, Immutable, Alias("engine-pacing")]
public sealed record EnginePacing(
    [property: Id(0)] double MessagesPerSecond,
    [property: Id(1)] int RecipientGapMilliseconds,
    [property: Id(2)] int RecipientBurst);

/// <summary>What an engine is and can do: listed by GET /v1/engines and checked before a message is queued.</summary>
/// <param name="Pairing">How a session of this engine is paired ("qr", "pairing_code"); empty when its settings are enough.</param>
/// <param name="SettingsField">The field of POST /v1/sessions that carries this engine's settings; null when it takes none.</param>
/// <param name="UserIdPeers">Whether it can address a peer by a business-scoped user id (e.g. US.13491208655302741918) instead of a phone number.</param>
/// <param name="CustomerServiceWindow">How long after a peer's last message the session may send it anything; outside it only <see cref="WindowFreeTypes"/>. Null: no window.</param>
[GenerateSerializer, Immutable, Alias("engine-descriptor")]
public sealed record EngineDescriptor(
    [property: Id(0)] string Name,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Description,
    [property: Id(3)] IReadOnlyList<string> Pairing,
    [property: Id(4)] IReadOnlyList<string> MessageTypes,
    [property: Id(5)] string? SettingsField,
    [property: Id(6)] IReadOnlyList<EngineSetting> Settings,
    [property: Id(7)] EnginePacing? DefaultPacing = null,
    [property: Id(8)] TimeSpan? CustomerServiceWindow = null,
    [property: Id(9)] IReadOnlyList<string>? WindowFreeTypes = null,
    [property: Id(10)] bool UserIdPeers = false)
{
    public bool RequiresPairing => Pairing.Count > 0;
}

/// <summary>The engines the cluster offers; a stateless worker on every silo, so any gateway can ask.</summary>
[Alias("engine-catalog")]
public interface IEngineCatalogGrain : IGrainWithIntegerKey
{
    [Alias("list")]
    Task<IReadOnlyList<EngineDescriptor>> List();
}
