using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;
using OrleansSaas.Tests.Media;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class MediaMessagingTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_image_sent_by_media_id_arrives_as_a_copy_in_the_receiving_tenants_own_media()
    {
        using var sender = fixture.Cluster.CreateClient();
        var (_, receiver) = await fixture.Cluster.CreateTenantClientAsync();
        using (receiver)
        {
            var bytes = MediaSamples.Named("png", 3000);
            var uploaded = await sender.UploadAsync(bytes, "image/png", "photo.png");
            var from = await sender.CreatePairedSessionAsync("+12015550961");
            var to = await receiver.CreatePairedSessionAsync("+12015550962");

            var request = new { to = "+12015550962", type = "image", image = new { mediaId = (string)uploaded["id"]!, caption = "look" } };
            await (await sender.PostAsJsonAsync($"/v1/sessions/{from}/messages", request)).ReadJsonAsync(HttpStatusCode.Accepted);

            var inbound = (await Api.EventuallyAsync(() => receiver.ListAllMessagesAsync(to, "inbound"), m => m.Count == 1, Patience, "the image")).Single();
            var ownId = (string)inbound["details"]!["mediaId"]!;
            Assert.NotEqual((string)uploaded["id"]!, ownId);
            Assert.Equal("look", (string?)inbound["text"]);
            Assert.Equal(bytes, await receiver.GetByteArrayAsync($"/v1/media/{ownId}/content"));
            // The copy is the receiver's: the sender's key cannot see it, and the receiver cannot see the original.
            Assert.Equal(HttpStatusCode.NotFound, (await sender.GetAsync($"/v1/media/{ownId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await receiver.GetAsync($"/v1/media/{(string)uploaded["id"]!}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_media_id_of_another_tenant_or_of_the_wrong_kind_is_refused()
    {
        using var demo = fixture.Cluster.CreateClient();
        var (_, other) = await fixture.Cluster.CreateTenantClientAsync();
        using (other)
        {
            var theirs = await other.UploadAsync(MediaSamples.Named("png", 500), "image/png");
            var pdf = await demo.UploadAsync(MediaSamples.Named("pdf", 500), "application/pdf", "a.pdf");
            var session = await demo.CreatePairedSessionAsync("+12015550963");

            foreach (var (body, field) in new (object, string)[]
            {
                (new { to = "+12015550964", type = "image", image = new { mediaId = (string)theirs["id"]! } }, "image.mediaId"),
                (new { to = "+12015550964", type = "image", image = new { mediaId = (string)pdf["id"]! } }, "image.mediaId"),
                (new { to = "+12015550964", type = "sticker", sticker = new { mediaId = "med_missing" } }, "sticker.mediaId"),
            })
            {
                var problem = await (await demo.PostAsJsonAsync($"/v1/sessions/{session}/messages", body)).ReadJsonAsync(HttpStatusCode.BadRequest);
                Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
            }
            Assert.Empty(await demo.ListAllMessagesAsync(session));

            var document = new { to = "+12015550964", type = "document", document = new { mediaId = (string)pdf["id"]!, fileName = "a.pdf" } };
            await (await demo.PostAsJsonAsync($"/v1/sessions/{session}/messages", document)).ReadJsonAsync(HttpStatusCode.Accepted);
        }
    }

    [Theory]
    [InlineData("GET", "/v1/media/{id}")]
    [InlineData("GET", "/v1/media/{id}/content")]
    [InlineData("DELETE", "/v1/media/{id}")]
    public async Task Another_tenants_media_answers_404_and_stays(string method, string path)
    {
        using var owner = fixture.Cluster.CreateClient();
        var (_, intruder) = await fixture.Cluster.CreateTenantClientAsync();
        using (intruder)
        {
            var media = await owner.UploadAsync(MediaSamples.Named("jpeg", 400), "image/jpeg");
            var url = path.Replace("{id}", (string)media["id"]!);

            var response = await intruder.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(url.Replace("/content", ""))).StatusCode);
        }
    }

    [Fact]
    public async Task Media_routes_need_their_scopes()
    {
        var (_, readOnly) = await fixture.Cluster.CreateTenantClientAsync("messages:read");
        using (readOnly)
        {
            var upload = await readOnly.PostAsync("/v1/media", MediaApi.Form(MediaSamples.Named("png", 100), "image/png"));
            Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync("/v1/media")).StatusCode);
        }
    }
}
