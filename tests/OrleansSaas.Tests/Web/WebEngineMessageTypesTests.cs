using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;
using OrleansSaas.Tests.Media;

namespace OrleansSaas.Tests.Web;

/// <summary>Every type beyond text, read marks and typing, each way between the silo and the fake sidecar (PROTOCOL.md's content forms).</summary>
[Collection(WebEngineCollection.Name)]
public sealed class WebEngineMessageTypesTests(WebEngineFixture fixture)
{
    private TestCluster Cluster => fixture.Cluster;
    private FakeSidecar Sidecar => fixture.Sidecar;

    private async Task<JsonObject> SendReachingSidecarAsync(HttpClient client, string sessionId, object body)
    {
        var id = (string)(await (await client.PostAsJsonAsync($"/v1/sessions/{sessionId}/messages", body)).ReadJsonAsync(HttpStatusCode.Accepted))["id"]!;
        var sends = await Api.EventuallyAsync(() => Task.FromResult(Sidecar.Entries("send", sessionId)), s => s.Any(e => (string?)e["messageId"] == id),
            TimeSpan.FromSeconds(30), "the send on the fake sidecar");
        return sends.Single(e => (string?)e["messageId"] == id);
    }

    [Fact]
    public async Task Media_location_contacts_and_reaction_reach_the_sidecar_in_its_content_form()
    {
        using var client = Cluster.CreateClient();
        var (id, _) = await client.CreateConnectedAsync(Sidecar, "4915112340020");
        var png = MediaSamples.Named("png", 200);
        var mediaId = (string)(await client.UploadAsync(png, "image/png", "dot.png"))["id"]!;

        var image = await SendReachingSidecarAsync(client, id, new { to = "+4915199990020", type = "image", image = new { mediaId, caption = "a dot" } });
        var content = image["content"]!;
        Assert.Equal("image", (string?)content["type"]);
        Assert.Equal(png, Convert.FromBase64String((string)content["media"]!["data"]!));
        Assert.Equal("image/png", (string?)content["mimetype"]);
        Assert.Equal("a dot", (string?)content["caption"]);

        var location = (await SendReachingSidecarAsync(client, id, new { to = "+4915199990021", type = "location", location = new { latitude = 52.37, longitude = 4.89, name = "Dam" } }))["content"]!;
        Assert.Equal("location", (string?)location["type"]);
        Assert.Equal(52.37, (double)location["latitude"]!);
        Assert.Equal(4.89, (double)location["longitude"]!);
        Assert.Equal("Dam", (string?)location["name"]);

        var contacts = (await SendReachingSidecarAsync(client, id, new
        {
            to = "+4915199990022", type = "contacts",
            contacts = new[] { new { name = new { formattedName = "Ada L" }, phones = new[] { new { phone = "+441234567", type = "CELL" } } } },
        }))["content"]!;
        Assert.Equal("contacts", (string?)contacts["type"]);
        Assert.Equal("Ada L", (string?)contacts["contacts"]![0]!["name"]);
        Assert.Equal("441234567", (string?)contacts["contacts"]![0]!["phones"]![0]);

        // A reaction names the message it reacts to by its network id, in the chat it was sent to.
        var reaction = await SendReachingSidecarAsync(client, id, new { to = "+4915199990020", type = "reaction", reaction = new { messageId = (string)image["messageId"]!, emoji = "👍" } });
        Assert.Equal("4915199990020", (string?)reaction["to"]);
        Assert.Equal("reaction", (string?)reaction["content"]!["type"]);
        Assert.Equal("👍", (string?)reaction["content"]!["emoji"]);
        Assert.Equal((string?)image["networkMessageId"], (string?)reaction["content"]!["target"]!["networkMessageId"]);
        Assert.True((bool)reaction["content"]!["target"]!["fromMe"]!);
    }

    [Fact]
    public async Task Inbound_media_is_downloaded_through_the_sidecar_into_the_tenants_store_and_location_and_contacts_are_kept()
    {
        using var client = Cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(Sidecar, "4915112340021");
        var jpeg = MediaSamples.Named("jpeg", 300);
        var photo = "IN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Sidecar.Command(new
        {
            op = "inbound", sessionKey = key, networkMessageId = photo, from = "4915199990023", type = "image",
            content = new { mimetype = "image/jpeg", fileLength = jpeg.Length, sha256 = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(jpeg)), caption = "look" },
            mediaData = Convert.ToBase64String(jpeg),
        });
        Sidecar.Command(new { op = "inbound", sessionKey = key, networkMessageId = "IN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), from = "4915199990023", type = "location", content = new { latitude = 48.86, longitude = 2.35, name = "Paris" } });
        Sidecar.Command(new
        {
            op = "inbound", sessionKey = key, networkMessageId = "IN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), from = "4915199990023", type = "contacts",
            content = new { contacts = new[] { new { name = "Bo", vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\nTEL;type=CELL;waid=4915199990077:+49 151 99990077\nEND:VCARD" } } },
        });

        var inbound = await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"),
            all => all.Count == 3 && all.Any(m => (string?)m["type"] == "image" && ((string?)m["details"]?["mediaId"])?.StartsWith("med_") == true),
            TimeSpan.FromSeconds(30), "the three inbound messages, the photo copied");
        var image = inbound.Single(m => (string?)m["type"] == "image");
        Assert.Equal("look", (string?)image["text"]);
        Assert.Equal(jpeg, await client.GetByteArrayAsync($"/v1/media/{(string)image["details"]!["mediaId"]!}/content"));
        Assert.Equal(photo, (string?)Sidecar.Entries("media.download", id).Single()["networkMessageId"]);

        var location = inbound.Single(m => (string?)m["type"] == "location");
        Assert.Equal(48.86, (double)location["details"]!["latitude"]!);
        Assert.Equal("Paris", (string?)location["details"]!["name"]);
        var contacts = inbound.Single(m => (string?)m["type"] == "contacts");
        Assert.Equal("Bo", (string?)contacts["details"]![0]!["name"]!["formattedName"]);
        Assert.Contains("waid=4915199990077", (string?)contacts["details"]![0]!["vcard"]);
    }

    [Fact]
    public async Task Mark_read_and_typing_reach_the_sidecar_for_the_peers_chat()
    {
        using var client = Cluster.CreateClient();
        var (id, key) = await client.CreateConnectedAsync(Sidecar, "4915112340022");
        var networkId = "IN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Sidecar.Command(new { op = "inbound", sessionKey = key, networkMessageId = networkId, from = "4915199990024", text = "read me" });
        var inbound = (await Api.EventuallyAsync(() => client.ListAllMessagesAsync(id, "inbound"), all => all.Count > 0, TimeSpan.FromSeconds(30), "the inbound message"))[0];

        (await client.PostAsync($"/v1/sessions/{id}/messages/{(string)inbound["id"]!}/read", null)).EnsureSuccessStatusCode();
        var read = Sidecar.Entries("read", id).Single();
        Assert.Equal(networkId, (string?)read["messages"]![0]!["networkMessageId"]);
        Assert.Equal("4915199990024", (string?)read["messages"]![0]!["chat"]);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"/v1/sessions/{id}/typing", new { to = "+4915199990024", durationSeconds = 2 })).StatusCode);
        var typing = await Api.EventuallyAsync(() => Task.FromResult(Sidecar.Entries("typing", id)), t => t.Count > 0, TimeSpan.FromSeconds(20), "typing on the fake sidecar");
        Assert.Equal("4915199990024", (string?)typing[0]["to"]);
        Assert.Equal("composing", (string?)typing[0]["state"]);
    }
}
