using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Outbound;

/// <summary>Tenant-aimed URLs through the API and the silo: refused at the API with the field named, and never connected to by the silo.</summary>
[Collection(OutboundClusterCollection.Name)]
public sealed class OutboundApiTests(OutboundClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Hosts = OutboundGuardTests.InternalHosts;

    [Fact]
    public async Task Every_refused_address_class_and_spelling_is_a_400_naming_the_url_field()
    {
        var (_, client) = await fixture.Cluster.CreateTenantClientAsync();
        var urls = Hosts.Select(host => $"http://{host}:5432/hook")
            .Concat(["https://hooks.example.com/a%0d%0aX-Injected:%201", "ftp://hooks.example.com/hook", "file:///etc/passwd"]);
        var accepted = new List<string>();
        foreach (var url in urls)
        {
            var response = await client.PostAsJsonAsync("/v1/webhooks", new { url });
            if (response.StatusCode != HttpStatusCode.BadRequest || !await NamesAsync(response, "url")) accepted.Add($"{url} ({(int)response.StatusCode})");
        }
        Assert.True(accepted.Count == 0, "not refused: " + string.Join(", ", accepted));

        // A subscription's URL cannot be changed into a refused one either.
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example.com/hook" })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)created["webhook"]!["id"]!;
        await (await client.PatchAsJsonAsync($"/v1/webhooks/{id}", new { url = "http://[::ffff:169.254.169.254]/latest/meta-data/" })).AssertProblemNamingAsync("url");
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonObject>("/v1/webhooks"))!["items"]!.AsArray(), w => (string?)w!["url"] != "https://hooks.example.com/hook");
    }

    [Fact]
    public async Task A_media_link_to_a_refused_address_is_refused_before_queueing()
    {
        var (_, client) = await fixture.Cluster.CreateTenantClientAsync();
        var session = (string)(await client.CreateSessionAsync())["id"]!;
        var accepted = new List<string>();
        foreach (var host in Hosts)
        {
            var response = await client.PostAsJsonAsync($"/v1/sessions/{session}/messages",
                new { to = "+12015559901", type = "image", image = new { link = $"http://{host}/cat.jpg" } });
            if (response.StatusCode != HttpStatusCode.BadRequest || !await NamesAsync(response, "image.link")) accepted.Add($"{host} ({(int)response.StatusCode})");
        }
        await (await client.PostAsJsonAsync($"/v1/sessions/{session}/messages",
            new { to = "+12015559901", type = "document", document = new { link = "https://files.example.com/a%0d%0ab.pdf" } })).AssertProblemNamingAsync("document.link");
        Assert.True(accepted.Count == 0, "not refused: " + string.Join(", ", accepted));
        Assert.Empty(await client.ListAllMessagesAsync(session));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_receiver_on_a_refused_address_is_never_connected_to_and_ping_and_deliveries_say_only_refused(string host)
    {
        using var receiver = new CountingListener(IPAddress.Loopback);
        // Through the gateway that allows loopback at its API: the silo's own check is what stops it here.
        using var client = await fixture.CreateLenientTenantClientAsync();
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = $"http://{host}:{receiver.Port}/hook" })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)created["webhook"]!["id"]!;

        var ping = await (await client.PostAsync($"/v1/webhooks/{id}/ping", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)ping["delivered"]!);
        Assert.Null(ping["statusCode"]);
        Assert.Equal("refused", (string?)ping["error"]);

        await client.CreateSessionAsync();
        var delivery = await Api.EventuallyAsync(() => client.GetFromJsonAsync<JsonObject>($"/v1/webhooks/{id}/deliveries"),
            page => page!["items"]!.AsArray().Any(d => d!["lastError"] is not null), Patience, "a delivery attempt");
        Assert.All(delivery!["items"]!.AsArray().Where(d => d!["lastError"] is not null), d => Assert.Equal("refused", (string?)d!["lastError"]));
        Assert.Equal(0, receiver.Connections);
    }

    [Fact]
    public async Task A_receiver_that_redirects_to_a_refused_address_is_not_followed()
    {
        using var target = new CountingListener(IPAddress.Loopback);
        using var redirector = new CountingListener(IPAddress.Parse("127.0.0.2"), $"http://127.0.0.1:{target.Port}/hook");
        using var client = await fixture.CreateLenientTenantClientAsync();
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = $"http://127.0.0.2:{redirector.Port}/hook" })).ReadJsonAsync(HttpStatusCode.Created);
        var id = (string)created["webhook"]!["id"]!;

        var ping = await (await client.PostAsync($"/v1/webhooks/{id}/ping", null)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.False((bool)ping["delivered"]!);
        Assert.Equal(307, (int?)ping["statusCode"]);
        Assert.Equal(1, redirector.Connections);
        Assert.Equal(0, target.Connections);
        (await client.DeleteAsync($"/v1/webhooks/{id}")).EnsureSuccessStatusCode();
    }

    private static async Task<bool> NamesAsync(HttpResponseMessage response, string field) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())?["errors"]?.AsObject().ContainsKey(field) == true;
}
