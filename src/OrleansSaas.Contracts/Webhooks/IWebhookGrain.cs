using Orleans.Concurrency;

namespace OrleansSaas.Contracts.Webhooks;

/// <summary>
/// One webhook subscription; key: "tenant/subscription" (see <see cref="Sessions.SessionKey"/>), so a tenant
/// can only reach its own. It keeps the subscription's row and works through its pending deliveries:
/// oldest first per session, sessions in parallel, with retries that survive silo deaths (they are rows).
/// </summary>
[Alias("webhook")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Creates the subscription; answers the stored one (without a new secret) when it already exists.</summary>
    [Alias("create")]
    Task<WebhookReply> Create(WebhookSpec spec);

    [Alias("get")]
    Task<WebhookView?> Get();

    /// <summary>Changes what is given (null keeps the current value); re-activating a disabled subscription resumes its pending deliveries.</summary>
    [Alias("update")]
    Task<WebhookReply> Update(WebhookChange change);

    /// <summary>Deletes the subscription with its delivery log; false when it does not exist.</summary>
    [Alias("delete")]
    Task<bool> Delete();

    /// <summary>A new signing secret; the previous one keeps being sent as a second signature for <paramref name="overlap"/>.</summary>
    [Alias("rotate-secret")]
    Task<WebhookReply> RotateSecret(TimeSpan overlap);

    /// <summary>Sends a webhook.ping event now (outside the log) and reports how the receiver answered.</summary>
    [Alias("ping")]
    Task<WebhookPingResult?> Ping();

    /// <summary>Queues the log's events in [fromSeq, toSeq] that match the subscription again; null when it does not exist.</summary>
    [Alias("replay")]
    Task<int?> Replay(long fromSeq, long toSeq);

    /// <summary>New deliveries are pending (or may be): work through them.</summary>
    [OneWay, Alias("poke")]
    Task Poke();
}

/// <param name="SessionIds">Only these sessions' events; null for all.</param>
/// <param name="EventTypes">Only these event types; null for all.</param>
[GenerateSerializer, Immutable, Alias("webhook-spec")]
public sealed record WebhookSpec(
    [property: Id(0)] string Url,
    [property: Id(1)] string? Description,
    [property: Id(2)] IReadOnlyList<string>? SessionIds,
    [property: Id(3)] IReadOnlyList<string>? EventTypes);

/// <summary>A partial update. <see cref="ClearSessionIds"/>/<see cref="ClearEventTypes"/> widen a filter back to "all".</summary>
[GenerateSerializer, Immutable, Alias("webhook-change")]
public sealed record WebhookChange(
    [property: Id(0)] string? Url,
    [property: Id(1)] string? Description,
    [property: Id(2)] IReadOnlyList<string>? SessionIds,
    [property: Id(3)] IReadOnlyList<string>? EventTypes,
    [property: Id(4)] bool? Active,
    [property: Id(5)] bool ClearSessionIds = false,
    [property: Id(6)] bool ClearEventTypes = false);

[GenerateSerializer, Immutable, Alias("webhook-view")]
public sealed record WebhookView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string? Description,
    [property: Id(3)] IReadOnlyList<string>? SessionIds,
    [property: Id(4)] IReadOnlyList<string>? EventTypes,
    [property: Id(5)] bool Active,
    [property: Id(6)] string? DisabledReason,
    [property: Id(7)] DateTimeOffset? PreviousSecretExpiresAt,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset UpdatedAt);

/// <summary>The subscription, and its signing secret in plain form when this call made one (shown once).</summary>
[GenerateSerializer, Immutable, Alias("webhook-reply")]
public sealed record WebhookReply(
    [property: Id(0)] WebhookView? Webhook,
    [property: Id(1)] string? Secret);

[GenerateSerializer, Immutable, Alias("webhook-ping-result")]
public sealed record WebhookPingResult(
    [property: Id(0)] bool Delivered,
    [property: Id(1)] int? StatusCode,
    [property: Id(2)] int LatencyMilliseconds,
    [property: Id(3)] string? Error);
