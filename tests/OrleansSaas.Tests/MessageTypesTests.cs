using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class MessageTypesTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    public static TheoryData<string, string> Bodies => new()
    {
        { "image", """{"type":"image","image":{"link":"https://example.com/cat.jpg","caption":"a cat"}}""" },
        { "video", """{"type":"video","video":{"link":"https://example.com/clip.mp4"}}""" },
        { "audio", """{"type":"audio","audio":{"link":"https://example.com/a.ogg"}}""" },
        { "voice", """{"type":"voice","voice":{"link":"https://example.com/v.ogg"}}""" },
        { "document", """{"type":"document","document":{"link":"https://example.com/x.pdf","fileName":"invoice.pdf","caption":"March"}}""" },
        { "sticker", """{"type":"sticker","sticker":{"link":"https://example.com/s.webp"}}""" },
        { "location", """{"type":"location","location":{"latitude":52.52,"longitude":13.405,"name":"Office","address":"Berlin"}}""" },
        { "contacts", """{"type":"contacts","contacts":[{"name":{"formattedName":"Ada Lovelace"},"phones":[{"phone":"+442071234567","type":"WORK"}],"emails":[{"email":"ada@example.com"}]}]}""" },
        { "buttons", """{"type":"buttons","interactive":{"body":"Ready?","footer":"Reply below","buttons":[{"id":"y","title":"Yes"},{"id":"n","title":"No"}]}}""" },
        { "list", """{"type":"list","interactive":{"body":"Pick one","button":"Options","sections":[{"title":"Sizes","rows":[{"id":"s","title":"Small"},{"id":"l","title":"Large","description":"Big one"}]}]}}""" },
        { "text", """{"text":"hi @friend","mentions":["+12015550599"]}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Each_message_type_arrives_at_the_recipient_with_its_details(string type, string body)
    {
        var sender = await _client.CreatePairedSessionAsync(Number(type, 1));
        var receiver = await _client.CreatePairedSessionAsync(Number(type, 2));
        var request = JsonNode.Parse(body)!.AsObject();
        request["to"] = Number(type, 2);

        var sent = await (await _client.PostAsJsonAsync($"/v1/sessions/{sender}/messages", request)).ReadJsonAsync(HttpStatusCode.Accepted);

        Assert.Equal(type, (string?)sent["type"]);
        var inbound = (await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(receiver, "inbound"), m => m.Count == 1, Patience, $"the {type} message")).Single();
        Assert.Equal(type, (string?)inbound["type"]);
        Assert.True(JsonNode.DeepEquals(sent["details"], inbound["details"]), $"{sent["details"]} vs {inbound["details"]}");
        Assert.Equal((string?)sent["text"], (string?)inbound["text"]);
    }

    [Fact]
    public async Task Replies_and_reactions_point_at_the_recipients_own_copy_of_the_message()
    {
        var alice = await _client.CreatePairedSessionAsync("+12015550601");
        var bob = await _client.CreatePairedSessionAsync("+12015550602");
        var question = await _client.SendTextAsync(alice, "+12015550602", "lunch?");
        var bobsCopy = (await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(bob, "inbound"), m => m.Count == 1, Patience, "the question")).Single();

        var reply = new JsonObject { ["to"] = "+12015550601", ["text"] = "yes!", ["replyTo"] = (string)bobsCopy["id"]! };
        await (await _client.PostAsJsonAsync($"/v1/sessions/{bob}/messages", reply)).ReadJsonAsync(HttpStatusCode.Accepted);
        var reaction = new JsonObject
        {
            ["to"] = "+12015550601", ["type"] = "reaction",
            ["reaction"] = new JsonObject { ["messageId"] = (string)bobsCopy["id"]!, ["emoji"] = "👍" },
        };
        await (await _client.PostAsJsonAsync($"/v1/sessions/{bob}/messages", reaction)).ReadJsonAsync(HttpStatusCode.Accepted);

        var atAlice = await Api.EventuallyAsync(() => _client.ListAllMessagesAsync(alice, "inbound"), m => m.Count == 2, Patience, "the reply and the reaction");
        Assert.All(atAlice, m => Assert.Equal((string?)question["id"], (string?)m["replyTo"]));
        Assert.Equal("👍", (string?)atAlice.Single(m => (string?)m["type"] == "reaction")["details"]!["emoji"]);
    }

    [Theory]
    [InlineData("""{"type":"image","image":{"link":"https://example.com/a.jpg","mediaId":"med_1"}}""", "image")]
    [InlineData("""{"type":"image"}""", "image")]
    [InlineData("""{"type":"image","image":{"link":"ftp://example.com/a.jpg"}}""", "image.link")]
    [InlineData("""{"type":"audio","audio":{"link":"https://example.com/a.ogg","caption":"no"}}""", "audio.caption")]
    [InlineData("""{"type":"image","image":{"link":"https://example.com/a.jpg"},"location":{"latitude":1,"longitude":1}}""", "location")]
    [InlineData("""{"type":"location","location":{"latitude":91,"longitude":0}}""", "location.latitude")]
    [InlineData("""{"type":"contacts","contacts":[]}""", "contacts")]
    [InlineData("""{"type":"contacts","contacts":[{"name":{}}]}""", "contacts[0].name.formattedName")]
    [InlineData("""{"type":"reaction","reaction":{"messageId":"msg_1","emoji":"ok"}}""", "reaction.emoji")]
    [InlineData("""{"type":"buttons","interactive":{"body":"x","buttons":[{"id":"1","title":"a"},{"id":"2","title":"b"},{"id":"3","title":"c"},{"id":"4","title":"d"}]}}""", "interactive.buttons")]
    [InlineData("""{"type":"buttons","interactive":{"body":"x","buttons":[{"id":"1","title":"this title is far too long"}]}}""", "interactive.buttons[0].title")]
    [InlineData("""{"type":"list","interactive":{"body":"x","button":"b","sections":[{"rows":[{"id":"1","title":"a"},{"id":"2","title":"b"},{"id":"3","title":"c"},{"id":"4","title":"d"},{"id":"5","title":"e"},{"id":"6","title":"f"},{"id":"7","title":"g"},{"id":"8","title":"h"},{"id":"9","title":"i"},{"id":"10","title":"j"},{"id":"11","title":"k"}]}]}}""", "interactive.sections")]
    [InlineData("""{"type":"sms","text":"x"}""", "type")]
    [InlineData("""{"text":"x","replyTo":"msg_unknown"}""", "replyTo")]
    [InlineData("""{"type":"document","document":{"link":"https://example.com/x.pdf","caption":"c".padLeft(2000)}}""", "body")]
    public async Task A_bad_message_of_any_type_is_a_400_naming_the_field(string body, string field)
    {
        var sender = await _client.CreatePairedSessionAsync("+12015550610");
        var request = JsonNode.Parse(body.Replace("\"c\".padLeft(2000)", $"\"{new string('c', 2000)}\""))!.AsObject();
        request["to"] = "+12015550611";

        var response = await _client.PostAsJsonAsync($"/v1/sessions/{sender}/messages", request);

        var problem = await response.ReadJsonAsync(HttpStatusCode.BadRequest);
        var fields = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains(field == "body" ? "document.caption" : field, fields);
        Assert.Empty(await _client.ListAllMessagesAsync(sender));
    }

    // A pair of numbers per type (+1201556 07xx), so the cases never share a phone, in a block no other test
    // links (a number another tenant's session is linked to refuses these sessions).
    private static string Number(string type, int party) =>
        $"+1201556{700 + 2 * Array.IndexOf(Bodies.Select(b => (string)b[0]).ToArray(), type) + party:D4}";
}
