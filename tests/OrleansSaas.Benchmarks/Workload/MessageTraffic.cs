using System.Collections.Concurrent;
using OrleansSaas.Benchmarks.Client;

namespace OrleansSaas.Benchmarks.Workload;

/// <summary>
/// Text messages between the run's own sessions, in a ring: message i goes from session i mod N to the next
/// one. Each text carries a token unique to the run and the message, so the receiving side can be checked for
/// every accepted message exactly once. With retries, a failed send is repeated under the same
/// Idempotency-Key, as a careful client would, so a retry can never become a second message.
/// </summary>
/// <param name="gateway">The gateway for each attempt (a load balancer's choice when there are several).</param>
public sealed class MessageTraffic(Func<GatewayApi> gateway, IReadOnlyList<FleetSession> sessions, int retries)
{
    public MessageTraffic(GatewayApi api, IReadOnlyList<FleetSession> sessions, int retries) : this(() => api, sessions, retries)
    {
    }

    public const string TextPrefix = "bench ";
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _unconfirmed = new(StringComparer.Ordinal);

    /// <summary>Every attempt, as the client saw it.</summary>
    public RequestLog Attempts { get; } = new();

    /// <summary>Tokens answered 202, with the index of the receiving session.</summary>
    public IReadOnlyDictionary<string, int> Accepted => _accepted;

    /// <summary>Tokens whose last attempt failed: the client cannot know whether they were committed.</summary>
    public IReadOnlyDictionary<string, int> Unconfirmed => _unconfirmed;

    /// <param name="stop">Ends retrying; a request already on its way always completes, so its outcome is known.</param>
    public async Task SendAsync(long index, CancellationToken stop)
    {
        var sender = (int)(index % sessions.Count);
        var receiver = (sender + 1) % sessions.Count;
        var token = $"{_run}-{index}";
        var idempotencyKey = retries > 0 ? token : null;
        for (var attempt = 0; ; attempt++)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var reply = await gateway().SendTextAsync(sessions[sender].Id, sessions[receiver].PhoneNumber, TextPrefix + token, idempotencyKey, CancellationToken.None);
            Attempts.Add(new RequestRecord(startedAt, reply.Milliseconds, reply.Outcome));
            if (reply.Status == 202)
            {
                _accepted[token] = receiver;
                _unconfirmed.TryRemove(token, out _);
                return;
            }
            // A server error or no answer at all leaves the client not knowing whether the message was committed.
            if (reply.Status is 0 or >= 500) _unconfirmed[token] = receiver;
            if (!reply.IsTransient || attempt >= retries || stop.IsCancellationRequested) return;
            try
            {
                await Task.Delay(reply.RetryAfter is { } after && after < TimeSpan.FromSeconds(2) ? after : TimeSpan.FromMilliseconds(500), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
