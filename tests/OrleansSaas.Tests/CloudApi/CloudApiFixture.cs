using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure.CloudApi;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.CloudApi;

/// <summary>A fake Graph API and a cluster (one silo, one gateway, real processes) whose Cloud API engine points at it.</summary>
public sealed class CloudApiFixture : IAsyncLifetime
{
    public FakeGraphApi Graph { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;

    public static Dictionary<string, string> EngineSettings(FakeGraphApi graph) => new()
    {
        ["CloudApi__BaseUrl"] = graph.BaseUrl,
        ["CloudApi__ApiVersion"] = FakeGraphApi.Version,
        ["CloudApi__RequestTimeout"] = "00:00:05",
        ["CloudApi__InboxSweepInterval"] = "00:00:01",
        ["CloudApi__InboxGrace"] = "00:00:01",
        ["CloudApi__UnknownStatusPatience"] = "00:00:30",
    };

    public async Task InitializeAsync()
    {
        Graph = await FakeGraphApi.StartAsync();
        Cluster = await TestCluster.StartAsync(silos: 1, settings: EngineSettings(Graph));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Graph.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CloudApiCollection : ICollectionFixture<CloudApiFixture>
{
    public const string Name = "cloud api";
}

public static class CloudApiTestApi
{
    public static object Settings(FakeNumber number, string? accessToken = null) => new
    {
        phoneNumberId = number.PhoneNumberId,
        accessToken = accessToken ?? number.AccessToken,
        appSecret = number.AppSecret,
        verifyToken = "verify-" + number.PhoneNumberId,
    };

    /// <summary>Creates a cloud_api session for the number and points the fake's webhooks at its URL.</summary>
    public static async Task<JsonNode> CreateCloudSessionAsync(this HttpClient client, FakeNumber number, Uri gateway, string? accessToken = null)
    {
        var response = await client.PostAsJsonAsync("/v1/sessions", new { name = "cloud", engine = "cloud_api", cloudApi = Settings(number, accessToken) });
        var session = await response.ReadJsonAsync(HttpStatusCode.Created);
        number.WebhookUrl = new Uri(gateway, (string)session["webhookUrl"]!).ToString();
        return session;
    }

    /// <summary>The peer writes to the session (which opens the 24-hour window); returns the stored inbound message.</summary>
    public static async Task<JsonNode> ReceiveTextAsync(this HttpClient client, FakeGraphApi graph, FakeNumber number, string sessionId, string peerDigits, string text = "Hi")
    {
        var wamid = FakeGraphApi.NewWamid();
        using var answer = await graph.PostWebhookAsync(number, FakeGraphApi.MessageJson(number, peerDigits, wamid, "text", FakeGraphApi.TextObject(text)));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(sessionId, "inbound"),
            all => all.Any(m => (string?)m["text"] == text), TimeSpan.FromSeconds(30), "the inbound message");
        return inbound.First(m => (string?)m["text"] == text);
    }

    private static readonly string[] Progress = ["queued", "sent", "delivered", "read"];

    /// <summary>Waits until the message has reached the status (or gone past it: statuses only move forward); failed must be exact.</summary>
    public static async Task<JsonNode> WaitForStatusAsync(this HttpClient client, string sessionId, string messageId, string status) =>
        await Api.EventuallyAsync(async () => await (await client.GetAsync($"/v1/sessions/{sessionId}/messages/{messageId}")).ReadJsonAsync(HttpStatusCode.OK),
            m => (string?)m["status"] == status || (status != "failed" && Array.IndexOf(Progress, (string?)m["status"]) >= Array.IndexOf(Progress, status)),
            TimeSpan.FromSeconds(45), $"message {messageId} to be {status}");

    public static async Task<JsonNode> WaitForSessionAsync(this HttpClient client, string sessionId, Func<JsonNode, bool> done, string what) =>
        await Api.EventuallyAsync(() => client.GetSessionAsync(sessionId), done, TimeSpan.FromSeconds(30), what);

    public static async Task<List<JsonNode>> EventsAsync(this HttpClient client, string sessionId)
    {
        var all = new List<JsonNode>();
        for (long after = 0; ;)
        {
            var page = await (await client.GetAsync($"/v1/events?session={sessionId}&after={after}&limit=1000")).ReadJsonAsync(HttpStatusCode.OK);
            var items = page["items"]!.AsArray().Select(e => e!).ToList();
            all.AddRange(items);
            if (items.Count < 1000) return all;
            after = (long)page["next"]!;
        }
    }
}
