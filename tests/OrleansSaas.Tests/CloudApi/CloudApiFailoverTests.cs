using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using OrleansSaas.Tests.Infrastructure.CloudApi;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.CloudApi;

/// <summary>kill -9 of the silo hosting a cloud_api session while Meta (the fake) posts webhooks and we send.</summary>
public sealed class CloudApiFailoverTests
{
    [Fact]
    public async Task Killing_the_sessions_silo_loses_and_duplicates_nothing_accepted_and_the_session_reconnects_elsewhere()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var cluster = await TestCluster.StartAsync(silos: 2, settings: CloudApiFixture.EngineSettings(graph));
        using var client = cluster.CreateClient();
        var number = graph.AddNumber();
        var session = await client.CreateCloudSessionAsync(number, cluster.GatewayUrl);
        var id = (string)session["id"]!;
        var peer = "16502" + FakeGraphApi.RandomDigits(6);
        await client.ReceiveTextAsync(graph, number, id, peer, "window opener");
        var host = cluster.SiloIndexOf((string)session["placement"]!["silo"]!) ?? throw new InvalidOperationException("No silo hosts the session.");

        var inboundAccepted = new ConcurrentBag<string>();
        var sendsAccepted = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var inbound = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var text = $"inbound {i}";
                var json = FakeGraphApi.MessageJson(number, peer, FakeGraphApi.NewWamid(), "text", FakeGraphApi.TextObject(text));
                // As Meta does: post again until the webhook is answered 200.
                while (true)
                {
                    try
                    {
                        using var answer = await graph.PostWebhookAsync(number, json);
                        if (answer.StatusCode == HttpStatusCode.OK) break;
                    }
                    catch (Exception error) when (error is HttpRequestException or TaskCanceledException) { }
                    await Task.Delay(200);
                }
                inboundAccepted.Add(text);
                await Task.Delay(50);
            }
        });
        var outbound = Task.Run(async () =>
        {
            // At most 40 sends to the one recipient: the pair rate lets 45 go at once, then one per 6 s, and more than
            // that would make this wait for pacing, not for failover.
            for (var i = 0; !stop.IsCancellationRequested && i < 40; i++)
            {
                try
                {
                    using var response = await client.PostAsJsonAsync($"/v1/sessions/{id}/messages", new { to = "+" + peer, text = $"outbound {i}" });
                    if (response.StatusCode == HttpStatusCode.Accepted) sendsAccepted.Add((string)(await response.ReadJsonAsync(HttpStatusCode.Accepted))["id"]!);
                }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(150);
            }
        });

        await Task.Delay(2000);
        cluster.KillSilo(host);
        await Task.Delay(6000);
        stop.Cancel();
        await Task.WhenAll(inbound, outbound);

        var back = await Api.EventuallyAsync(() => client.TryGetSessionAsync(id), s => s is not null && (string?)s["status"] == "connected" && cluster.SiloIndexOf((string)s["placement"]!["silo"]!) is { } i && i != host,
            TimeSpan.FromSeconds(60), "the session connected on the surviving silo");
        Assert.Equal("connected", (string?)back!["status"]);

        // Every accepted inbound webhook is one message, once.
        var stored = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"),
            all => inboundAccepted.All(t => all.Any(m => (string?)m["text"] == t)), TimeSpan.FromSeconds(60), "every accepted inbound message");
        var texts = stored.Select(m => (string)m["text"]!).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());

        // Every accepted send is delivered; a resend can only be the one in flight when the silo died.
        Assert.NotEmpty(sendsAccepted);
        foreach (var message in sendsAccepted) await client.WaitForStatusAsync(id, message, "delivered");
        var atGraph = graph.SendsOf(number).Select(s => (string)s["biz_opaque_callback_data"]!).ToList();
        Assert.All(sendsAccepted, m => Assert.Contains(m, atGraph));
        Assert.True(atGraph.Count - atGraph.Distinct().Count() <= 1, $"{atGraph.Count - atGraph.Distinct().Count()} messages reached the Graph API twice");
        var events = await client.EventsAsync(id);
        Assert.Equal(inboundAccepted.Count + 1, events.Count(e => (string?)e["type"] == "message.received"));
    }
}
