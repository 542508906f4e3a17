using System.Net;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class MetricsTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const int Messages = 3;
    private readonly TestCluster _cluster = fixture.Cluster;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task After_real_traffic_the_silo_and_the_gateway_expose_the_named_metrics_with_values()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = _cluster.CreateClient();
        var webhook = await Events.WebhookDeliveryTests.CreateWebhookAsync(client, receiver.Url);
        await ExchangeMessagesAsync("+12015550881", "+12015550882");
        await Api.EventuallyAsync(() => Task.FromResult(receiver.Accepted.Count), n => n > 0, Patience, "a webhook delivery");
        (await client.DeleteAsync($"/v1/webhooks/{webhook}")).EnsureSuccessStatusCode();

        // Counters only grow and the shared cluster only adds traffic, so "at least what this test did" holds.
        var silo = await Api.EventuallyAsync(() => ScrapeAsync(_cluster.SiloHealthUrls[1]),
            s => s.Sum("orleanssaas_messages_delivered_total") >= Messages && s.Sum("orleanssaas_webhook_attempts_total") >= 1,
            Patience, "the silo to count the delivery receipts and the webhook attempt");
        AssertAtLeast(silo, Messages, "orleanssaas_messages_accepted_total", ("direction", "outbound"));
        AssertAtLeast(silo, Messages, "orleanssaas_messages_accepted_total", ("direction", "inbound"));
        AssertAtLeast(silo, Messages, "orleanssaas_messages_sent_total");
        AssertAtLeast(silo, Messages, "orleanssaas_messages_send_latency_milliseconds_count");
        AssertAtLeast(silo, 2, "orleanssaas_sessions_qr_to_connected_seconds_count");
        AssertAtLeast(silo, 2, "orleanssaas_sessions", ("status", "connected"));
        Assert.All(silo.Where(s => s.Name == "orleanssaas_sessions"), s => Assert.False(string.IsNullOrEmpty(s.Labels.GetValueOrDefault("silo"))));
        Assert.Contains(silo, s => s.Name == "orleanssaas_messages_queued");
        AssertAtLeast(silo, 1, "orleanssaas_webhook_attempts_total");
        AssertAtLeast(silo, 1, "orleanssaas_webhook_latency_milliseconds_count");
        // Orleans' own meter is exported too (grain activations, messaging, …).
        Assert.Contains(silo, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));

        var gateway = await ScrapeAsync(_cluster.GatewayUrl);
        AssertAtLeast(gateway, Messages, "http_server_request_duration_seconds_count",
            ("http_route", "/v1/sessions/{sessionId}/messages/"), ("http_request_method", "POST"), ("http_response_status_code", "202"));
        Assert.DoesNotContain(gateway, s => s.Name == "orleanssaas_sessions" || s.Name == "orleanssaas_messages_queued");
    }

    [Fact]
    public async Task Metrics_never_show_an_API_key_a_message_text_or_a_phone_number()
    {
        const string sender = "+12015550883", recipient = "+12015550884";
        var text = await ExchangeMessagesAsync(sender, recipient);
        // A failed key is part of the traffic too: its text must not surface either.
        var wrongKey = "osk_" + Guid.NewGuid().ToString("N");
        using var wrong = _cluster.CreateClient(wrongKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/sessions")).StatusCode);

        foreach (var baseUrl in new[] { _cluster.GatewayUrl, _cluster.SiloHealthUrls[1] })
        {
            var response = await _http.GetAsync(new Uri(baseUrl, "/metrics"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var metrics = await response.Content.ReadAsStringAsync();
            foreach (var secret in new[] { _cluster.ApiKey, _cluster.AdminKey, wrongKey, text, sender, recipient })
                Assert.DoesNotContain(secret, metrics);
        }
    }

    /// <summary>Pairs two sessions by QR scan, sends messages between them and waits for every delivery receipt; returns the text sent.</summary>
    private async Task<string> ExchangeMessagesAsync(string senderPhone, string recipientPhone)
    {
        using var client = _cluster.CreateClient();
        var sender = await client.CreatePairedSessionAsync(senderPhone);
        await client.CreatePairedSessionAsync(recipientPhone);
        var text = $"metrics probe {Guid.NewGuid():N}";
        var ids = new List<string>();
        for (var i = 0; i < Messages; i++) ids.Add((string)(await client.SendTextAsync(sender, recipientPhone, text))["id"]!);
        foreach (var id in ids)
            await Api.EventuallyAsync(async () => (string)(await (await client.GetAsync($"/v1/sessions/{sender}/messages/{id}")).ReadJsonAsync(HttpStatusCode.OK))["status"]!,
                s => s is "delivered" or "read", Patience, $"the delivery receipt of {id}");
        return text;
    }

    private async Task<List<PrometheusSample>> ScrapeAsync(Uri baseUrl)
    {
        var response = await _http.GetAsync(new Uri(baseUrl, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static void AssertAtLeast(List<PrometheusSample> samples, double minimum, string name, params (string Label, string Value)[] labels)
    {
        var sum = samples.Sum(name, labels);
        Assert.True(sum >= minimum, $"{Describe(name, labels)} is {sum}, expected at least {minimum}. Series of that name: "
            + string.Join(", ", samples.Where(s => s.Name == name).Select(s => $"{Describe(s.Name, s.Labels.Select(l => (l.Key, l.Value)))} {s.Value}")));
    }

    private static string Describe(string name, IEnumerable<(string Label, string Value)> labels) =>
        $"{name}{{{string.Join(",", labels.Select(l => $"{l.Label}=\"{l.Value}\""))}}}";
}
