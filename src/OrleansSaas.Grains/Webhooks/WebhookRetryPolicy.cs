using Microsoft.Extensions.Options;
using OrleansSaas.Data.Webhooks;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>What to do after an attempt; <see cref="DisableSubscription"/> when the receiver said it is gone for good.</summary>
public sealed record RetryDecision(DeliveryState State, DateTimeOffset NextAttemptAt, bool DisableSubscription = false);

/// <summary>
/// The delivery policy the README documents: 2xx delivers; 410 disables the subscription and keeps the
/// delivery pending; 408, 429, 5xx and no answer are retried with exponential backoff and jitter for the
/// retry period; any other status (4xx, or a 3xx we do not follow) is retried a few times only; then dead-letter.
/// </summary>
public sealed class WebhookRetryPolicy(IOptions<WebhookOptions> options)
{
    private WebhookOptions Options => options.Value;

    /// <param name="attempts">Attempts made before this one.</param>
    public RetryDecision Decide(WebhookResponse response, int attempts, DateTimeOffset retryFrom, DateTimeOffset now)
    {
        var attempt = attempts + 1;
        switch (response.StatusCode)
        {
            case >= 200 and < 300:
                return new RetryDecision(DeliveryState.Delivered, now);
            case 410:
                return new RetryDecision(DeliveryState.Pending, now, DisableSubscription: true);
            case null or 408 or 429 or >= 500:
                break;
            default:
                if (attempt >= Options.MaxClientErrorAttempts) return new RetryDecision(DeliveryState.Dead, now);
                break;
        }
        var next = now + Backoff(attempt, response.RetryAfter);
        return next > retryFrom + Options.RetryPeriod
            ? new RetryDecision(DeliveryState.Dead, now)
            : new RetryDecision(DeliveryState.Pending, next);
    }

    /// <summary>Doubling from the initial backoff, capped; the upper half is random so failed receivers are not hit in waves.</summary>
    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponent = Math.Min(attempt - 1, 30);
        var ceiling = TimeSpan.FromTicks((long)Math.Min(Options.MaxBackoff.Ticks, Options.InitialBackoff.Ticks * Math.Pow(2, exponent)));
        var delay = ceiling / 2 + ceiling / 2 * Random.Shared.NextDouble();
        // A receiver asking for more time gets it, within our own cap.
        return retryAfter is { } asked && asked > delay ? TimeSpan.FromTicks(Math.Min(asked.Ticks, Options.MaxBackoff.Ticks)) : delay;
    }
}
