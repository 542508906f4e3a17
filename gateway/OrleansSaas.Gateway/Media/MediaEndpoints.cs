using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using OrleansSaas.Data.Media;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Media;

public sealed record MediaListResponse(IReadOnlyList<MediaView> Items, string? NextCursor);

/// <summary>
/// The tenant's media: upload (checked by content, limited per kind and by the tenant's quota), metadata, download,
/// delete and list. Media lives in app tables and the blob store, so no grain is involved.
/// </summary>
public static partial class MediaEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapMediaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/media").WithTags("Media").ProducesCommonProblems().WithAudit();
        // The gateway's global request limit is 1 MB; uploads alone may be as large as the largest kind allows.
        group.MapPost("/", Upload).RequireAuthorization(Scopes.MessagesSend)
            .WithMetadata(new RequestSizeLimitAttribute(MediaUploadForm.MaxRequestBytes))
            .DescribeUploadForm().Produces<MediaView>(201).ProducesProblem(413);
        group.MapGet("/", List).RequireAuthorization(Scopes.MessagesRead).Produces<MediaListResponse>();
        group.MapGet("/{mediaId}", Get).RequireAuthorization(Scopes.MessagesRead);
        group.MapGet("/{mediaId}/content", Download).RequireAuthorization(Scopes.MessagesRead)
            .Produces(200, contentType: "application/octet-stream").Produces(304);
        group.MapDelete("/{mediaId}", Delete).RequireAuthorization(Scopes.MessagesSend);
        return group;
    }

    private static async Task<IResult> Upload(HttpRequest request, ClaimsPrincipal user, MediaStore store, IMediaQuotaSource quotas, CancellationToken cancellationToken)
    {
        var (upload, problem) = await MediaUploadForm.ReadAsync(request, cancellationToken);
        if (upload is null) return problem!;
        var tenantId = user.TenantId();
        var quota = await quotas.GetQuotaBytesAsync(tenantId, cancellationToken);
        await using var content = upload.File.OpenReadStream();
        var result = await store.SaveUploadAsync(tenantId, upload.Media, content, quota, cancellationToken);
        return result.Media is null
            ? MediaProblems.QuotaExceeded(upload.Media.Size, result.UsedBytes, quota)
            : TypedResults.Created($"/v1/media/{result.Media.Id}", result.Media);
    }

    private static async Task<Results<Ok<MediaView>, ProblemHttpResult>> Get(string mediaId, ClaimsPrincipal user, MediaStore store, CancellationToken cancellationToken)
    {
        var media = IsWellFormed(mediaId) ? await store.GetAsync(user.TenantId(), mediaId, cancellationToken) : null;
        return media is null ? Problem.NotFound($"Media '{mediaId}'") : TypedResults.Ok(media);
    }

    /// <summary>The bytes, as an attachment under the stored (sanitised) name; the ETag is the SHA-256, so If-None-Match answers 304.</summary>
    private static async Task<IResult> Download(string mediaId, HttpResponse response, ClaimsPrincipal user, MediaStore store, CancellationToken cancellationToken)
    {
        var opened = IsWellFormed(mediaId) ? await store.OpenAsync(user.TenantId(), mediaId, cancellationToken) : null;
        if (opened is not { } found) return Problem.NotFound($"Media '{mediaId}'");
        var (media, content) = found;
        // The bytes were checked against their type; browsers must not second-guess it. Shared caches must not
        // keep one tenant's media (the API key is not an Authorization header they would know to respect).
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "private, no-cache";
        // The blob stream cannot seek, so the result would not know the length; clients want it for progress.
        response.ContentLength = media.Size;
        return TypedResults.Stream(content, media.MimeType, media.FileName ?? media.Id + MediaRules.Extension(media.MimeType),
            lastModified: media.CreatedAt, entityTag: new EntityTagHeaderValue($"\"{media.Sha256}\""));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string mediaId, ClaimsPrincipal user, MediaStore store)
    {
        // Not cancellable: a delete the client gave up on still completes rather than stopping halfway.
        var deleted = IsWellFormed(mediaId) && await store.DeleteAsync(user.TenantId(), mediaId, CancellationToken.None);
        return deleted ? TypedResults.NoContent() : Problem.NotFound($"Media '{mediaId}'");
    }

    private static async Task<Results<Ok<MediaListResponse>, ValidationProblem>> List(int? limit, string? cursor, ClaimsPrincipal user, MediaStore store, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var (size, before) = QueryValues.SequencePage(limit, cursor, DefaultPageSize, MaxPageSize, errors);
        if (errors.Any) return Problem.Invalid(errors);
        var page = await store.ListAsync(user.TenantId(), before, size, cancellationToken);
        return TypedResults.Ok(new MediaListResponse(page.Items, page.NextBefore?.ToString()));
    }

    // Ids this API issues; anything else cannot exist, so it is a 404 without a query.
    private static bool IsWellFormed(string mediaId) => MediaId().IsMatch(mediaId);

    [GeneratedRegex("^med_[0-9a-f]{32}$")]
    private static partial Regex MediaId();
}
