using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Testing;

namespace OrleansSaas.Tests.InProcess;

/// <summary>
/// A write whose commit succeeded but whose answer was lost with the database connection (a primary killed
/// mid-commit) leaves a row the grain that wrote it never heard of. The queues that otherwise work from memory
/// once caught up must find such a row when the write is retried. The lost answer is staged here by writing
/// the row directly, as the lost commit would have left it.
/// </summary>
public sealed class LostAnswerTests
{
    private const string Alice = "+12015558401";
    private const string Bob = "+12015558402";

    [Fact]
    public async Task A_resend_the_network_already_stored_is_delivered_though_the_recipient_had_caught_up()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 1);
        var (_, alice, bob) = await PairAliceAndBobAsync(cluster);
        // Two deliveries leave Bob's number delivering from memory.
        await cluster.SendAndWaitAsync(alice, Bob, "first");
        await cluster.SendAndWaitAsync(alice, Bob, "second");

        var envelope = new SimulatedEnvelope($"msg_lost_{Guid.NewGuid():N}", Alice, alice, Bob, MessageContent.PlainText("stored, answer lost"), DateTimeOffset.UtcNow);
        await cluster.QueryScalarAsync<int>("""
            INSERT INTO sim_network_messages (message_id, to_number, from_number, from_session_key, type, body, sent_at, accepted_at)
            VALUES (@id, @to, @from, @from_session, 'text', @body, now(), now()) RETURNING 1
            """, ("id", envelope.MessageId), ("to", Bob), ("from", Alice), ("from_session", alice), ("body", envelope.Content.Text!));
        await cluster.Grains.GetGrain<ISimulatedPhoneGrain>(Bob).Accept(envelope);

        var inbound = await Eventually.Async(() => cluster.ListMessagesAsync(bob, MessageDirection.Inbound),
            m => m.Any(x => x.Content.Text == "stored, answer lost"), TimeSpan.FromSeconds(15), "the resent message at Bob's");
        Assert.Single(inbound, m => m.Content.Text == "stored, answer lost");
    }

    [Fact]
    public async Task A_replayed_send_whose_first_answer_was_lost_is_sent_though_the_queue_had_caught_up()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 1);
        var (tenantId, alice, bob) = await PairAliceAndBobAsync(cluster);
        var (_, aliceId) = SessionKey.Parse(alice);
        // A send with the same content under another key: its row carries the request hash a replay is checked against.
        var probe = await cluster.SendTextAsync(alice, Bob, "twice", idempotencyKey: "probe");
        await cluster.WaitForStatusAsync(alice, probe.Id, MessageStatus.Delivered);
        var hash = await cluster.QueryScalarAsync<string>("SELECT request_hash FROM messages WHERE id = @id", ("id", probe.Id));

        var now = DateTimeOffset.UtcNow;
        var lost = new MessageView($"msg_lost_{Guid.NewGuid():N}", aliceId, MessageDirection.Outbound, Bob, MessageContent.PlainText("twice"),
            MessageStatus.Queued, now, now, null);
        await cluster.Messages.InsertOutboundAsync(tenantId, aliceId, lost, "lost", hash);
        var replay = await cluster.SendTextAsync(alice, Bob, "twice", idempotencyKey: "lost");

        Assert.Equal(lost.Id, replay.Id);
        await cluster.WaitForStatusAsync(alice, lost.Id, MessageStatus.Delivered, TimeSpan.FromSeconds(15));
        var inbound = await cluster.ListMessagesAsync(bob, MessageDirection.Inbound);
        Assert.Equal(2, inbound.Count(m => m.Content.Text == "twice"));
    }

    /// <summary>A tenant with two paired sessions, Alice's and Bob's; their keys.</summary>
    private static async Task<(string TenantId, string Alice, string Bob)> PairAliceAndBobAsync(InProcessCluster cluster)
    {
        var tenant = await cluster.CreateTenantAsync();
        return (tenant.Id, await cluster.CreatePairedSessionAsync(tenant.Id, Alice), await cluster.CreatePairedSessionAsync(tenant.Id, Bob));
    }
}
