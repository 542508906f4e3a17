using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Engines;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Messaging;

/// <summary>Spacing of sends: between any two, and between two to the same recipient (after a burst of <paramref name="RecipientBurst"/>).</summary>
public sealed record SendPacing(TimeSpan MinimumGap, TimeSpan RecipientGap, int RecipientBurst = 1);

/// <summary>
/// A session's send queue. The queue itself is the session's rows in PostgreSQL's send_queue, read in
/// acceptance order, so a session re-activated on another silo resumes exactly where the last one
/// stopped; a message sent but not yet marked is sent again and the network drops the duplicate.
/// Runs on the owning grain's scheduler: <see cref="Poke"/> must be called from the grain.
/// </summary>
public sealed class SendPump(
    string tenantId,
    string sessionId,
    MessageStore messages,
    Func<QueuedMessage, Task<SendOutcome>> send,
    Func<string, MessageStatus, string?, Task> advance,
    Func<bool> canSend,
    Action<TimeSpan> retryLater,
    Func<SendPacing> pacing,
    TimeSpan retryDelay,
    ILogger logger)
{
    private const int Batch = 100;
    private bool _running;
    private bool _poked;
    private DateTimeOffset _lastSendAt = DateTimeOffset.MinValue;
    // Per recipient: messages it may still get at once (a token bucket refilled one per recipient gap) as of a time.
    private readonly Dictionary<string, (double Tokens, DateTimeOffset At)> _recipients = new(StringComparer.Ordinal);
    // Recipients the network asked us to leave alone for a while (pair rate); their messages wait, others go on.
    private readonly Dictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);
    // This queue's share of the silo's queued-messages gauge: counted once, then kept up to date in memory.
    private long? _queued;
    private bool _closed;
    // True after a pass read the queue to its end and sent all of it with nothing accepted meanwhile; while it holds,
    // newly accepted messages wait in _fresh, in acceptance order, and are sent from there.
    private bool _caughtUp;
    private readonly Queue<QueuedMessage> _fresh = new();

    /// <summary>Starts draining the queue from the database unless a drain is already under way (which then reads once more).</summary>
    public void Poke()
    {
        Forget();
        Wake();
    }

    /// <summary>A message was just committed to the queue.</summary>
    public void Enqueued(QueuedMessage message)
    {
        if (_queued is not null) Track(+1);
        // Caught up: the database holds nothing older than this message, so it can be sent without reading it back.
        if (_caughtUp) _fresh.Enqueue(message);
        Wake();
    }

    private void Wake()
    {
        _poked = true;
        if (!_running) _ = DrainAsync();
    }

    /// <summary>From now on the queue is read from the database again (what is in memory is also there).</summary>
    private void Forget()
    {
        _caughtUp = false;
        _fresh.Clear();
    }

    /// <summary>The session is deactivating: its queue no longer counts towards this silo's gauge.</summary>
    public void Close()
    {
        if (!_closed && _queued is { } queued) Telemetry.SendQueueChanged(-queued);
        _closed = true;
    }

    private void Track(long change)
    {
        if (_closed || _queued is not { } queued) return;
        var next = Math.Max(0, queued + change);
        Telemetry.SendQueueChanged(next - queued);
        _queued = next;
    }

    private async Task DrainAsync()
    {
        _running = true;
        var caughtUp = false;
        try
        {
            if (_queued is null)
            {
                var queued = await messages.CountQueuedAsync(tenantId, sessionId);
                if (!_closed) Telemetry.SendQueueChanged(queued);
                _queued = queued;
            }
            while (_poked && canSend())
            {
                _poked = false;
                if (_caughtUp)
                {
                    if (await SendFreshAsync() is not { } resumeAfter) continue;
                    if (resumeAfter > TimeSpan.Zero)
                    {
                        retryLater(resumeAfter);
                        return;
                    }
                    _poked = true; // a recipient asked us to wait: the pass over the database handles that
                    continue;
                }
                var lastSeq = 0L;
                DateTimeOffset? waitFor = null; // the earliest end of a recipient's block, when a pass left messages behind
                IReadOnlyList<QueuedMessage> batch;
                do
                {
                    batch = await messages.ListQueuedAsync(tenantId, sessionId, lastSeq, Batch);
                    foreach (var message in batch)
                    {
                        if (!canSend()) return;
                        lastSeq = message.Seq;
                        if (BlockedUntil(message.To) is { } until)
                        {
                            waitFor = waitFor is { } earlier && earlier < until ? earlier : until;
                            continue;
                        }
                        if (await SendOneAsync(message) is { } retryAfter)
                        {
                            retryLater(retryAfter);
                            return;
                        }
                        if (BlockedUntil(message.To) is { } blocked) waitFor = waitFor is { } earlier && earlier < blocked ? earlier : blocked;
                    }
                } while (batch.Count == Batch);
                if (waitFor is { } resumeAt)
                {
                    retryLater(Max(resumeAt - DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(10)));
                    return;
                }
                // Nothing was accepted during a pass that read the queue to its end: it is empty now, whatever the count drifted to.
                if (!_poked)
                {
                    Track(-_queued!.Value);
                    _caughtUp = true;
                }
            }
            caughtUp = _caughtUp && !_poked;
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Send queue of session {SessionId} stopped; retrying", sessionId);
            retryLater(retryDelay);
        }
        finally
        {
            _running = false;
            if (!caughtUp) Forget();
        }
    }

    /// <summary>
    /// Sends the messages accepted since the queue was caught up. Null when all went; otherwise the queue is read
    /// from the database again, after the wait returned (zero: at once).
    /// </summary>
    private async Task<TimeSpan?> SendFreshAsync()
    {
        while (_fresh.Count > 0)
        {
            var message = _fresh.Peek();
            if (!canSend() || BlockedUntil(message.To) is not null) break;
            _fresh.Dequeue();
            if (await SendOneAsync(message) is { } retryAfter)
            {
                Forget();
                return retryAfter;
            }
            if (BlockedUntil(message.To) is not null)
            {
                // Its recipient asked us to wait: the message is still queued, and the pass over the database waits for it.
                Forget();
                return TimeSpan.Zero;
            }
        }
        if (_fresh.Count == 0) return null;
        Forget();
        return TimeSpan.Zero;
    }

    private DateTimeOffset? BlockedUntil(string to)
    {
        if (!_blockedUntil.TryGetValue(to, out var until)) return null;
        if (until > DateTimeOffset.UtcNow) return until;
        _blockedUntil.Remove(to);
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>When the recipient may get its next message: at once while its burst lasts, then one per gap.</summary>
    private DateTimeOffset RecipientDue(string to, SendPacing pacing, DateTimeOffset now)
    {
        if (pacing.RecipientGap <= TimeSpan.Zero || !_recipients.TryGetValue(to, out var bucket)) return now;
        var tokens = Math.Min(pacing.RecipientBurst, bucket.Tokens + (now - bucket.At) / pacing.RecipientGap);
        return tokens >= 1 ? now : now + pacing.RecipientGap * (1 - tokens);
    }

    private void SpendRecipient(string to, SendPacing pacing, DateTimeOffset at)
    {
        if (pacing.RecipientGap <= TimeSpan.Zero) return;
        var tokens = _recipients.TryGetValue(to, out var bucket)
            ? Math.Min(pacing.RecipientBurst, bucket.Tokens + (at - bucket.At) / pacing.RecipientGap)
            : pacing.RecipientBurst;
        _recipients[to] = (tokens - 1, at);
        // Only recipients still short of a full burst matter; forget the rest so the map stays small.
        if (_recipients.Count > 10_000)
            foreach (var full in _recipients.Where(e => e.Value.At + pacing.RecipientGap * (pacing.RecipientBurst - e.Value.Tokens) < at).Select(e => e.Key).ToList())
                _recipients.Remove(full);
    }

    /// <summary>Null when the queue may go on; otherwise the message stays queued and the queue waits that long.</summary>
    private async Task<TimeSpan?> SendOneAsync(QueuedMessage message)
    {
        var rules = pacing();
        var now = DateTimeOffset.UtcNow;
        var due = _lastSendAt + rules.MinimumGap;
        var recipientDue = RecipientDue(message.To, rules, now);
        if (recipientDue > due) due = recipientDue;
        var wait = due - now;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        _lastSendAt = DateTimeOffset.UtcNow;
        SpendRecipient(message.To, rules, _lastSendAt);

        SendOutcome outcome;
        try
        {
            outcome = await send(message);
        }
        catch (Exception error)
        {
            logger.LogInformation(error, "Send of message {MessageId} failed transiently", message.Id);
            return retryDelay;
        }
        switch (outcome.Result)
        {
            case SendResult.Sent:
                await advance(message.Id, MessageStatus.Sent, null);
                Telemetry.MessageSent(DateTimeOffset.UtcNow - message.QueuedAt);
                Track(-1);
                return null;
            case SendResult.Rejected:
                await advance(message.Id, MessageStatus.Failed, outcome.Error ?? "rejected_by_network");
                Telemetry.MessageFailed("rejected_by_network");
                Track(-1);
                return null;
            case SendResult.RetryRecipient:
                _blockedUntil[message.To] = DateTimeOffset.UtcNow + (outcome.RetryAfter ?? retryDelay);
                return null;
            default:
                return outcome.RetryAfter ?? retryDelay;
        }
    }
}
