namespace OrleansSaas.Contracts.CloudApi;

[GenerateSerializer, Alias("cloud-api-intake")]
public enum WebhookIntake
{
    /// <summary>Stored durably; processing follows asynchronously.</summary>
    Stored = 0,
    /// <summary>No session has this webhook id.</summary>
    UnknownHook = 1,
    /// <summary>X-Hub-Signature-256 missing or not the HMAC of the body with the session's app secret; nothing stored.</summary>
    BadSignature = 2,
}

/// <summary>
/// Takes Meta's webhook calls for a session's webhook id (no API key: the signature is the proof). A stateless
/// worker on whichever silo the gateway reaches, so a webhook is stored even while its session's silo is down.
/// </summary>
[Alias("cloud-api-webhook-receiver")]
public interface ICloudApiWebhookReceiverGrain : IGrainWithIntegerKey
{
    /// <summary>The challenge to echo when mode is "subscribe" and the verify token is the session's; null otherwise.</summary>
    [Alias("verify")]
    Task<string?> Verify(string hookId, string? mode, string? verifyToken, string? challenge);

    [Alias("receive")]
    Task<WebhookIntake> Receive(string hookId, byte[] body, string? signature);
}

/// <summary>Works through one session's stored webhooks in arrival order (key: the session key).</summary>
[Alias("cloud-api-inbox")]
public interface ICloudApiInboxGrain : IGrainWithStringKey
{
    [Alias("poke"), Orleans.Concurrency.OneWay]
    Task Poke();
}
