using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansSaas.Data.Media;
using OrleansSaas.Data.Schema;
using OrleansSaas.Tests.Infrastructure;
using OrleansSaas.Tests.Media;

namespace OrleansSaas.Tests;

/// <summary>Multipart uploads as a client sends them, and the replies read as JSON.</summary>
internal static class MediaApi
{
    public static MultipartFormDataContent Form(byte[] bytes, string? contentType, string fileName = "upload.bin", string? kind = null)
    {
        var file = new ByteArrayContent(bytes);
        if (contentType is not null) file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (kind is not null) form.Add(new StringContent(kind), "kind");
        return form;
    }

    public static async Task<JsonNode> UploadAsync(this HttpClient client, byte[] bytes, string? contentType, string fileName = "upload.bin", string? kind = null)
    {
        var response = await client.PostAsync("/v1/media", Form(bytes, contentType, fileName, kind));
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }


    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

[Collection(SharedClusterCollection.Name)]
public sealed class MediaTests(SharedClusterFixture fixture)
{
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    public static TheoryData<string, string, string, string> EveryKind => new()
    {
        { "jpeg", "image/jpeg", "image", "photo.jpg" },
        { "png", "image/png", "image", "diagram.png" },
        { "webp", "image/webp", "sticker", "smile.webp" },
        { "webp-animated", "image/webp", "sticker", "wave.webp" },
        { "mp4", "video/mp4", "video", "clip.mp4" },
        { "3gp", "video/3gpp", "video", "clip.3gp" },
        { "ogg", "audio/ogg", "audio", "voice.ogg" },
        { "mp3", "audio/mpeg", "audio", "song.mp3" },
        { "aac", "audio/aac", "audio", "note.aac" },
        { "m4a", "audio/mp4", "audio", "memo.m4a" },
        { "amr", "audio/amr", "audio", "call.amr" },
        { "pdf", "application/pdf", "document", "invoice.pdf" },
        { "docx", MediaSamples.Docx, "document", "letter.docx" },
        { "txt", "text/plain", "document", "notes.txt" },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task Each_kind_uploads_shows_downloads_and_deletes(string sample, string mimeType, string kind, string fileName)
    {
        var bytes = MediaSamples.Named(sample, 3000);

        var response = await _client.PostAsync("/v1/media", MediaApi.Form(bytes, mimeType, fileName));
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);

        var id = (string)created["id"]!;
        Assert.Matches("^med_[0-9a-f]{32}$", id);
        Assert.Equal($"/v1/media/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(kind, (string?)created["kind"]);
        Assert.Equal(mimeType, (string?)created["mimeType"]);
        Assert.Equal(fileName, (string?)created["fileName"]);
        Assert.Equal(bytes.Length, (long)created["size"]!);
        Assert.Equal(MediaApi.Sha256(bytes), (string?)created["sha256"]);
        Assert.True(DateTimeOffset.UtcNow - (DateTimeOffset)created["createdAt"]! < TimeSpan.FromMinutes(1));

        var shown = await (await _client.GetAsync($"/v1/media/{id}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(created.ToJsonString(), shown.ToJsonString());

        var download = await _client.GetAsync($"/v1/media/{id}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(mimeType, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(fileName, download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal($"\"{MediaApi.Sha256(bytes)}\"", download.Headers.ETag?.Tag);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/media/{id}/content");
        conditional.Headers.IfNoneMatch.Add(download.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/v1/media/{id}")).StatusCode);
        await (await _client.GetAsync($"/v1/media/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/v1/media/{id}/content")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.DeleteAsync($"/v1/media/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_bytes_decide_the_type_when_none_is_declared_and_a_kind_can_be_chosen()
    {
        var png = MediaSamples.Named("png", 500);

        var asDocument = await _client.UploadAsync(png, "application/octet-stream", "scan.png", kind: "document");
        var undeclared = await _client.UploadAsync(png, contentType: null, fileName: "scan");

        Assert.Equal("document", (string?)asDocument["kind"]);
        Assert.Equal("image/png", (string?)asDocument["mimeType"]);
        Assert.Equal("image", (string?)undeclared["kind"]);
        Assert.Equal("image/png", (string?)undeclared["mimeType"]);
    }

    [Fact]
    public async Task File_names_are_reduced_to_a_safe_base_name()
    {
        // filename* carries any Unicode, so a hostile client can send all of this.
        var file = new ByteArrayContent(MediaSamples.Named("pdf"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileNameStar = "../../etc/\u202Efdp.exe\u0007 \"quoted\" ñ.pdf" };
        var created = await (await _client.PostAsync("/v1/media", new MultipartFormDataContent { file })).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal("fdp.exe quoted ñ.pdf", (string?)created["fileName"]);
        var download = await _client.GetAsync($"/v1/media/{(string)created["id"]!}/content");
        Assert.Equal("fdp.exe quoted ñ.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task Media_without_a_usable_name_downloads_under_its_id()
    {
        var created = await _client.UploadAsync(MediaSamples.Named("png", 500), "image/png", "..");

        Assert.Null((string?)created["fileName"]);
        var download = await _client.GetAsync($"/v1/media/{(string)created["id"]!}/content");
        Assert.Equal($"{(string)created["id"]!}.png", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task A_declared_type_that_does_not_match_the_bytes_is_refused()
    {
        var before = await CountStoredAsync();

        var response = await _client.PostAsync("/v1/media", MediaApi.Form(MediaSamples.Named("png", 500), "image/jpeg", "photo.jpg"));

        var problem = await response.AssertProblemNamingAsync("file", HttpStatusCode.BadRequest);
        Assert.Contains("declared type does not match the content", (string?)problem["errors"]!["file"]![0]);
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public async Task Files_over_their_kind_limit_are_refused_and_files_at_it_are_accepted()
    {
        // 5 MiB is also well over the gateway's global 1 MB request limit, which the upload endpoint raises.
        var atLimit = await _client.UploadAsync(MediaSamples.Named("jpeg", 5 * 1024 * 1024), "image/jpeg", "big.jpg");
        var animated = await _client.UploadAsync(MediaSamples.Named("webp-animated", 100 * 1024 + 1), "image/webp", "wave.webp");
        var before = await CountStoredAsync();

        var overImage = await _client.PostAsync("/v1/media", MediaApi.Form(MediaSamples.Named("jpeg", 5 * 1024 * 1024 + 1), "image/jpeg", "bigger.jpg"));
        var overSticker = await _client.PostAsync("/v1/media", MediaApi.Form(MediaSamples.Named("webp", 100 * 1024 + 1), "image/webp", "big.webp"));

        var imageProblem = await overImage.AssertProblemNamingAsync("file", HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("5 MiB", (string?)imageProblem["errors"]!["file"]![0]);
        var stickerProblem = await overSticker.AssertProblemNamingAsync("file", HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("static sticker", (string?)stickerProblem["errors"]!["file"]![0]);
        Assert.Equal(before, await CountStoredAsync());
        await _client.DeleteAsync($"/v1/media/{(string)atLimit["id"]!}");
        await _client.DeleteAsync($"/v1/media/{(string)animated["id"]!}");
    }

    [Fact]
    public async Task A_large_document_streams_through_in_chunks()
    {
        var bytes = MediaSamples.Text(20 * 1024 * 1024 + 7);

        var created = await _client.UploadAsync(bytes, "text/plain; charset=utf-8", "big.txt");

        Assert.Equal("document", (string?)created["kind"]);
        Assert.Equal(21L, await fixture.Cluster.QueryScalarAsync<long>(
            "SELECT count(*) FROM media_blob_chunks c JOIN media m ON m.blob_key = c.key WHERE m.id = @id", ("id", (string)created["id"]!)));
        var download = await _client.GetAsync($"/v1/media/{(string)created["id"]!}/content", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(MediaApi.Sha256(bytes), Convert.ToHexStringLower(await SHA256.HashDataAsync(await download.Content.ReadAsStreamAsync())));
        await _client.DeleteAsync($"/v1/media/{(string)created["id"]!}");
    }

    public static TheoryData<string, string> BadForms => new()
    {
        { "empty file", "file" },
        { "no file part", "file" },
        { "file as a plain field", "file" },
        { "two files", "file" },
        { "JSON body", "file" },
        { "no body", "file" },
        { "urlencoded form", "file" },
        { "broken multipart", "file" },
        { "unknown kind", "kind" },
        { "kind twice", "kind" },
        { "thousands of parts", "file" },
        { "unknown field", "messaging_product" },
        { "unrecognised bytes", "file" },
        { "executable", "file" },
        { "GIF image", "file" },
        { "plain zip archive", "file" },
        { "PDF as an image", "file" },
        { "WebP as an image", "file" },
    };

    [Theory]
    [MemberData(nameof(BadForms))]
    public async Task A_bad_upload_is_a_400_problem_naming_the_field_and_stores_nothing(string form, string field)
    {
        var before = await CountStoredAsync();

        var response = await _client.PostAsync("/v1/media", BadForm(form));

        await response.AssertProblemNamingAsync(field, HttpStatusCode.BadRequest);
        Assert.Equal(before, await CountStoredAsync());
    }

    private static HttpContent? BadForm(string name)
    {
        var png = MediaSamples.Named("png", 200);
        switch (name)
        {
            case "empty file": return MediaApi.Form([], "image/png", "empty.png");
            case "no file part":
                return new MultipartFormDataContent { { new StringContent("image"), "kind" } };
            case "file as a plain field":
                return new MultipartFormDataContent { { new StringContent("not a file"), "file" } };
            case "two files":
                var two = MediaApi.Form(png, "image/png", "a.png");
                two.Add(new ByteArrayContent(png), "file", "b.png");
                return two;
            case "JSON body": return new StringContent("{\"file\":\"aGVsbG8=\"}", Encoding.UTF8, "application/json");
            case "no body": return null;
            case "urlencoded form": return new FormUrlEncodedContent([new("file", "hello")]);
            case "broken multipart":
                var broken = new ByteArrayContent("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nnever ends"u8.ToArray());
                broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
                return broken;
            case "unknown kind": return MediaApi.Form(png, "image/png", kind: "picture");
            case "kind twice":
                var twice = MediaApi.Form(png, "image/png", kind: "image");
                twice.Add(new StringContent("document"), "kind");
                return twice;
            case "thousands of parts":
                var many = MediaApi.Form(png, "image/png");
                for (var i = 0; i < 5000; i++) many.Add(new StringContent("x"), "kind");
                return many;
            case "unknown field":
                var extra = MediaApi.Form(png, "image/png");
                extra.Add(new StringContent("whatsapp"), "messaging_product");
                return extra;
            case "unrecognised bytes": return MediaApi.Form(MediaSamples.Named("random", 300), null);
            case "executable": return MediaApi.Form(MediaSamples.Named("exe", 300), "application/pdf", "invoice.pdf.exe");
            case "GIF image": return MediaApi.Form(MediaSamples.Named("gif", 300), "image/gif", "funny.gif");
            case "plain zip archive": return MediaApi.Form(MediaSamples.Named("zip"), "application/zip", "archive.zip");
            case "PDF as an image": return MediaApi.Form(MediaSamples.Named("pdf"), "application/pdf", kind: "image");
            case "WebP as an image": return MediaApi.Form(MediaSamples.Named("webp", 300), "image/webp", kind: "image");
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }

    [Theory]
    [InlineData("GET", "/v1/media/med_0123456789abcdef0123456789abcdef")]
    [InlineData("GET", "/v1/media/med_0123456789abcdef0123456789abcdef/content")]
    [InlineData("DELETE", "/v1/media/med_0123456789abcdef0123456789abcdef")]
    [InlineData("GET", "/v1/media/not-an-id")]
    [InlineData("GET", "/v1/media/..%2F..%2Fetc%2Fpasswd/content")]
    [InlineData("DELETE", "/v1/media/med_'; DROP TABLE media; --")]
    public async Task An_unknown_media_id_is_a_404_problem(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Media_is_listed_newest_first_with_a_stable_cursor()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((string)(await _client.UploadAsync(MediaSamples.Text(100 + i), "text/plain", $"list-{i}.txt"))["id"]!);

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await _client.GetAsync("/v1/media?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync(HttpStatusCode.OK);
            Assert.True(page["items"]!.AsArray().Count <= 2);
            listed.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), listed.Where(ids.Contains));
        Assert.Equal(listed.Count, listed.Distinct().Count());
        await (await _client.GetAsync("/v1/media?limit=0")).AssertProblemNamingAsync("limit", HttpStatusCode.BadRequest);
        await (await _client.GetAsync("/v1/media?limit=many")).AssertProblemNamingAsync("limit", HttpStatusCode.BadRequest);
        await (await _client.GetAsync("/v1/media?cursor=abc")).AssertProblemNamingAsync("cursor", HttpStatusCode.BadRequest);
        foreach (var id in ids) await _client.DeleteAsync($"/v1/media/{id}");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_media_routes_and_the_upload_form()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!;
        foreach (var (path, method) in new[] { ("/v1/media", "post"), ("/v1/media", "get"), ("/v1/media/{mediaId}", "get"), ("/v1/media/{mediaId}", "delete"), ("/v1/media/{mediaId}/content", "get") })
            Assert.Contains("401", paths[path]![method]!["responses"]!.AsObject().Select(r => r.Key));
        var form = paths["/v1/media"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;
        Assert.Equal("binary", (string?)form["properties"]!["file"]!["format"]);
    }

    private async Task<long> CountStoredAsync() =>
        await fixture.Cluster.QueryScalarAsync<long>("SELECT (SELECT count(*) FROM media) + (SELECT count(*) FROM media_blobs)");
}

/// <summary>A cluster of its own (its usage table is counted whole) and a tenant whose plan allows 50,000 bytes of media.</summary>
public sealed class MediaQuotaTests : IAsyncLifetime
{
    private const int Quota = 50_000;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Concurrent_uploads_never_exceed_the_plan_quota_and_deleting_frees_it()
    {
        using var admin = _cluster.CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/v1/admin/tenants", new { name = "media quota", plan = new { mediaStorageBytes = Quota } })).ReadJsonAsync(HttpStatusCode.Created);
        var key = await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{(string)tenant["id"]!}/keys", new { })).ReadJsonAsync(HttpStatusCode.Created);
        var client = _cluster.CreateClient((string)key["key"]!);
        var png = MediaSamples.Named("png", 10_000);

        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            var response = await client.PostAsync("/v1/media", MediaApi.Form(png, "image/png", $"{i}.png"));
            return (response.StatusCode, Body: JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }));

        Assert.Equal(5, replies.Count(r => r.StatusCode == HttpStatusCode.Created));
        var refused = replies.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(7, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Equal("https://orleanssaas.dev/problems/quota-exceeded", (string?)r.Body["type"]);
            Assert.Equal(Quota, (long)r.Body["quotaBytes"]!);
        });
        Assert.Equal(Quota, await _cluster.QueryScalarAsync<long>("SELECT used_bytes FROM media_usage"));
        Assert.Equal(Quota, await _cluster.QueryScalarAsync<decimal>("SELECT sum(size) FROM media"));
        Assert.Equal(5L, await _cluster.QueryScalarAsync<long>("SELECT count(*) FROM media_blobs"));

        var refusedAgain = await client.PostAsync("/v1/media", MediaApi.Form(png, "image/png"));
        await refusedAgain.AssertProblemAsync(HttpStatusCode.Forbidden);
        var deleted = (string)replies.First(r => r.StatusCode == HttpStatusCode.Created).Body["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/media/{deleted}")).StatusCode);
        await client.UploadAsync(png, "image/png");
        Assert.Equal(Quota, await _cluster.QueryScalarAsync<long>("SELECT used_bytes FROM media_usage"));
    }
}

/// <summary>The store directly, on a database of its own: inbound media, tenant isolation and clean failures.</summary>
public sealed class MediaStoreTests : IAsyncLifetime
{
    private NpgsqlDataSource _db = null!;
    private MediaStore _store = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("media");
        await new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
        _db = NpgsqlDataSource.Create(connectionString);
        _store = new MediaStore(_db, new PostgresBlobStore(_db), NullLogger<MediaStore>.Instance);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Inbound_media_is_stored_in_chunks_counted_and_read_back()
    {
        // Over two chunks, from a stream that cannot seek or tell its length, as an engine's download would be.
        var bytes = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 123);

        var id = await _store.SaveInboundAsync("tenant-a", MediaKind.Audio, "audio/ogg; codecs=opus", "voice note.ogg", new OneWayStream(bytes));

        var media = await _store.GetAsync("tenant-a", id);
        Assert.NotNull(media);
        Assert.Equal((MediaKind.Audio, "audio/ogg; codecs=opus", "voice note.ogg", bytes.LongLength, MediaApi.Sha256(bytes)),
            (media.Kind, media.MimeType, media.FileName, media.Size, media.Sha256));
        Assert.Equal("inbound", await ScalarAsync<string>($"SELECT source FROM media WHERE id = '{id}'"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM media_blob_chunks"));
        Assert.Equal(bytes.LongLength, await _store.GetUsedBytesAsync("tenant-a"));
        var opened = await _store.OpenAsync("tenant-a", id);
        await using var content = opened!.Value.Content;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Empty_inbound_media_reads_back_empty()
    {
        var id = await _store.SaveInboundAsync("tenant-a", MediaKind.Document, "text/plain", null, new MemoryStream());

        var opened = await _store.OpenAsync("tenant-a", id);
        await using var content = opened!.Value.Content;
        Assert.Equal(0, await content.ReadAsync(new byte[16]));
        Assert.Equal(MediaApi.Sha256([]), opened.Value.Media.Sha256);
    }

    [Fact]
    public async Task Media_deleted_while_it_is_read_ends_the_stream_with_an_error_not_short_content()
    {
        var id = await _store.SaveInboundAsync("tenant-a", MediaKind.Video, "video/mp4", "clip.mp4", new MemoryStream(new byte[2 * 1024 * 1024 + 1]));
        var opened = await _store.OpenAsync("tenant-a", id);
        await using var content = opened!.Value.Content;
        await content.ReadExactlyAsync(new byte[1024 * 1024]);

        Assert.True(await _store.DeleteAsync("tenant-a", id));

        await Assert.ThrowsAsync<IOException>(async () => await content.ReadExactlyAsync(new byte[1024 * 1024]));
        Assert.Null(await _store.OpenAsync("tenant-a", id));
        Assert.Equal(0L, await _store.GetUsedBytesAsync("tenant-a"));
    }

    [Fact]
    public async Task Another_tenant_can_neither_see_read_list_nor_delete_media()
    {
        var id = await _store.SaveInboundAsync("tenant-a", MediaKind.Document, "text/plain", "a.txt", new MemoryStream(MediaSamples.Text(100)));

        Assert.Null(await _store.GetAsync("tenant-b", id));
        Assert.Null(await _store.OpenAsync("tenant-b", id));
        Assert.False(await _store.DeleteAsync("tenant-b", id));
        Assert.Empty((await _store.ListAsync("tenant-b", null, 50)).Items);

        Assert.NotNull(await _store.GetAsync("tenant-a", id));
        Assert.Equal(id, Assert.Single((await _store.ListAsync("tenant-a", null, 50)).Items).Id);
        Assert.Equal(100L, await _store.GetUsedBytesAsync("tenant-a"));
        Assert.Equal(0L, await _store.GetUsedBytesAsync("tenant-b"));
    }

    [Fact]
    public async Task A_write_that_fails_halfway_leaves_nothing_behind()
    {
        var failing = new OneWayStream(new byte[3 * 1024 * 1024], failAfter: 1536 * 1024);

        await Assert.ThrowsAsync<IOException>(() => _store.SaveInboundAsync("tenant-a", MediaKind.Document, "application/pdf", "x.pdf", failing));

        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_upload_the_quota_has_no_room_for_leaves_nothing_behind()
    {
        // The upload claims 1 byte, so the early check lets it through and the atomic check at the end refuses it.
        var result = await _store.SaveUploadAsync("tenant-a", new MediaUpload(MediaKind.Document, "text/plain", "a.txt", 1), new MemoryStream(MediaSamples.Text(100)), quotaBytes: 50);

        Assert.Null(result.Media);
        Assert.Equal((0L, 50L), (result.UsedBytes, result.QuotaBytes));
        await AssertNothingStoredAsync();
    }

    private async Task AssertNothingStoredAsync()
    {
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM media"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM media_blobs"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM media_blob_chunks"));
        Assert.Equal(0L, await _store.GetUsedBytesAsync("tenant-a"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = _db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Reads forward only, in small pieces, optionally failing partway like a dropped connection.</summary>
    private sealed class OneWayStream(byte[] bytes, int failAfter = int.MaxValue) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter) throw new IOException("The connection dropped.");
            var read = Math.Min(Math.Min(count, 64 * 1024), bytes.Length - _position);
            bytes.AsSpan(_position, read).CopyTo(buffer.AsSpan(offset));
            _position += read;
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class MediaFileNameTests
{
    [Theory]
    [InlineData("photo.jpg", "photo.jpg")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("a\u0000b\u001Fc.txt", "abc.txt")]
    [InlineData("invoice\u202Egpj.exe", "invoicegpj.exe")]
    [InlineData("  report.pdf. ", "report.pdf")]
    [InlineData("..", null)]
    [InlineData("/", null)]
    [InlineData("\u0007", null)]
    [InlineData(null, null)]
    public void Names_keep_only_a_safe_base_name(string? name, string? expected) =>
        Assert.Equal(expected, MediaFileNames.Sanitise(name));

    [Fact]
    public void Long_names_keep_their_extension_and_whole_characters()
    {
        var name = string.Concat(Enumerable.Repeat("😀", 300)) + ".pdf";

        var sanitised = MediaFileNames.Sanitise(name)!;

        Assert.EndsWith(".pdf", sanitised);
        Assert.Equal(200, sanitised.EnumerateRunes().Count());
        Assert.DoesNotContain('\uFFFD', sanitised);
    }
}
