using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Engines;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Messaging;

/// <summary>
/// A session's send queue. The queue itself is the session's 'queued' rows in PostgreSQL, read in
/// acceptance order, so a session re-activated on another silo resumes exactly where the last one
/// stopped; a message sent but not yet marked is sent again and the network drops the duplicate.
/// Runs on the owning grain's scheduler: <see cref="Poke"/> must be called from the grain.
/// </summary>
/// <summary>Spacing of sends: between any two, and between two to the same recipient.</summary>
public sealed record SendPacing(TimeSpan MinimumGap, TimeSpan RecipientGap);

public sealed class SendPump(
    string tenantId,
    string sessionId,
    MessageStore messages,
    Func<QueuedMessage, Task<SendResult>> send,
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
    private readonly Dictionary<string, DateTimeOffset> _lastSendTo = new(StringComparer.Ordinal);
    // This queue's share of the silo's queued-messages gauge: counted once, then kept up to date in memory.
    private long? _queued;
    private bool _closed;

    /// <summary>Starts draining the queue unless a drain is already under way (which then reads once more).</summary>
    public void Poke()
    {
        _poked = true;
        if (!_running) _ = DrainAsync();
    }

    /// <summary>A message was just committed to the queue.</summary>
    public void Enqueued()
    {
        if (_queued is not null) Track(+1);
        Poke();
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
                var lastSeq = 0L;
                IReadOnlyList<QueuedMessage> batch;
                do
                {
                    batch = await messages.ListQueuedAsync(tenantId, sessionId, lastSeq, Batch);
                    foreach (var message in batch)
                    {
                        if (!canSend()) return;
                        if (!await SendOneAsync(message))
                        {
                            retryLater(retryDelay);
                            return;
                        }
                        lastSeq = message.Seq;
                    }
                } while (batch.Count == Batch);
                // Nothing was accepted during a pass that read the queue to its end: it is empty now, whatever the count drifted to.
                if (!_poked) Track(-_queued!.Value);
            }
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Send queue of session {SessionId} stopped; retrying", sessionId);
            retryLater(retryDelay);
        }
        finally
        {
            _running = false;
        }
    }

    private void RememberRecipient(string to, TimeSpan recipientGap)
    {
        _lastSendTo[to] = _lastSendAt;
        // Only recipients still inside their gap matter; forget the rest so the map stays small.
        if (_lastSendTo.Count > 10_000)
            foreach (var stale in _lastSendTo.Where(e => e.Value + recipientGap < _lastSendAt).Select(e => e.Key).ToList())
                _lastSendTo.Remove(stale);
    }

    /// <summary>False when the message must stay queued and be retried later.</summary>
    private async Task<bool> SendOneAsync(QueuedMessage message)
    {
        var (minimumGap, recipientGap) = pacing();
        var due = _lastSendAt + minimumGap;
        if (recipientGap > TimeSpan.Zero && _lastSendTo.TryGetValue(message.To, out var lastToRecipient) && lastToRecipient + recipientGap > due)
            due = lastToRecipient + recipientGap;
        var wait = due - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        _lastSendAt = DateTimeOffset.UtcNow;
        if (recipientGap > TimeSpan.Zero) RememberRecipient(message.To, recipientGap);

        SendResult result;
        try
        {
            result = await send(message);
        }
        catch (Exception error)
        {
            logger.LogInformation(error, "Send of message {MessageId} failed transiently", message.Id);
            return false;
        }
        switch (result)
        {
            case SendResult.Sent:
                await advance(message.Id, MessageStatus.Sent, null);
                Telemetry.MessageSent(DateTimeOffset.UtcNow - message.QueuedAt);
                Track(-1);
                return true;
            case SendResult.Rejected:
                await advance(message.Id, MessageStatus.Failed, "rejected_by_network");
                Telemetry.MessageFailed("rejected_by_network");
                Track(-1);
                return true;
            default:
                return false;
        }
    }
}
