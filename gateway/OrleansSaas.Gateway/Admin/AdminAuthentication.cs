using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansSaas.Data;
using OrleansSaas.Data.Admin;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const int MinimumKeyLength = 32;

    /// <summary>
    /// The bootstrap operators' credential for /v1/admin, audited as "bootstrap"; named keys are issued with it
    /// (POST /v1/admin/keys). When unset, only named keys already issued are accepted.
    /// </summary>
    public string? ApiKey { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(ApiKey);
}

/// <summary>
/// Authenticates operators by an admin key (X-Admin-Key, or Authorization: Bearer): a named key from the
/// admin_keys table, or the bootstrap key from configuration. It is its own scheme,
/// used only by the admin policy, so a tenant key never counts on admin routes and the admin key never
/// counts on tenant routes.
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AdminOptions> admin,
    AdminKeyStore keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string Policy = "admin";
    public const string Role = "admin";
    public const string KeyIdClaim = "admin_key_id";
    public const string KeyNameClaim = "admin_key_name";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return AuthenticateResult.NoResult();
        if (AdminKeyFormat.TryParse(presented, out var keyId, out var secretHash))
        {
            if (await keys.FindLiveAsync(keyId) is not { } found || !CryptographicOperations.FixedTimeEquals(secretHash, found.SecretHash))
                return AuthenticateResult.Fail("Unknown or revoked admin key.");
            await keys.RecordUseAsync(found.Key, DbTime.Now());
            return Success(found.Key.KeyId, found.Key.Name);
        }
        var configured = admin.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(configured)) return AuthenticateResult.NoResult();
        // Hashing first makes the comparison fixed-time whatever the lengths.
        if (!CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(configured)))
            return AuthenticateResult.Fail("Wrong admin key.");
        return Success(AdminKeyFormat.BootstrapId, AdminKeyFormat.BootstrapId);
    }

    private static AuthenticateResult Success(string keyId, string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, Role), new Claim(KeyIdClaim, keyId), new Claim(KeyNameClaim, name)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        // Without a bootstrap key, named keys may still exist; say only how to authenticate.
        var enabled = admin.CurrentValue.Enabled || PresentedKey() is not null;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Type = ProblemTypes.Unauthorized,
                Title = enabled ? "A valid admin key is required" : "The admin API is disabled",
                Detail = enabled
                    ? "Send the admin key in the X-Admin-Key header or as Authorization: Bearer <key>."
                    : $"Set {AdminOptions.Section}:{nameof(AdminOptions.ApiKey)} on the gateway to enable it.",
            },
        });
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-Admin-Key", out var header) && !string.IsNullOrWhiteSpace(header)) return header.ToString().Trim();
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
