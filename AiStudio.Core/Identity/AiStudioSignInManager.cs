using System.Security.Claims;
using AiStudio.Core.Audit;
using AiStudio.Core.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Identity;

/// <summary>
/// Identity's sign-in manager. Every way in (password, passkey, two-factor, right after sign-up) ends in
/// <see cref="SignInWithClaimsAsync"/>: there the sign-in time is recorded and an address listed in
/// Admin:Emails is given the Admin role, before the cookie's claims are made, so the first cookie has it.
/// Each sign-in, failed attempt, lockout and sign-out is recorded in the audit trail, so the account pages
/// stay as the template made them.
/// </summary>
internal sealed class AiStudioSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    ConfiguredAdmins admins,
    IServiceProvider scopedServices,
    IAuditLog audit,
    TimeProvider clock)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private const string Anonymous = "anonymous";
    private const int MaxNameLength = 256;

    // A refresh re-issues the cookie of someone already signed in (after a profile change): not a new sign-in.
    private bool _refreshing;

    public override async Task RefreshSignInAsync(ApplicationUser user)
    {
        _refreshing = true;
        try
        {
            await base.RefreshSignInAsync(user);
        }
        finally
        {
            _refreshing = false;
        }
    }

    public override async Task SignInWithClaimsAsync(ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var claims = additionalClaims as IReadOnlyCollection<Claim> ?? additionalClaims.ToList();
        var now = clock.GetUtcNow();
        user.LastSignInAt = now;
        if (!await admins.EnsureInRoleAsync(scopedServices, user, now))
        {
            var saved = await UserManager.UpdateAsync(user);
            if (!saved.Succeeded)
            {
                // The time of sign-in is a nicety; it must never stop someone from signing in.
                Logger.LogWarning("Could not record the sign-in time of user {UserId}: {Errors}", user.Id, string.Join(" ", saved.Errors.Select(e => e.Code)));
            }
        }

        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
        if (!_refreshing)
        {
            var method = claims.FirstOrDefault(c => c.Type == "amr")?.Value;
            await RecordAsync(AuditActions.SignedIn, user.Id, user.UserName, method is null ? null : $"method {method}");
        }
    }

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure);
        if (!result.Succeeded && !result.RequiresTwoFactor)
        {
            var user = await UserManager.FindByNameAsync(userName) ?? await UserManager.FindByEmailAsync(userName);
            await RecordFailureAsync(result, user, userName, "password");
        }

        return result;
    }

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        if (!result.Succeeded && user is not null)
        {
            await RecordFailureAsync(result, user, user.UserName, "authenticator code");
        }

        return result;
    }

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (!result.Succeeded && user is not null)
        {
            await RecordFailureAsync(result, user, user.UserName, "recovery code");
        }

        return result;
    }

    public override async Task<SignInResult> PasskeySignInAsync(string credentialJson)
    {
        var result = await base.PasskeySignInAsync(credentialJson);
        if (!result.Succeeded && !result.RequiresTwoFactor)
        {
            await RecordFailureAsync(result, null, null, "passkey");
        }

        return result;
    }

    public override async Task SignOutAsync()
    {
        var user = Context.User;
        await base.SignOutAsync();
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id)
        {
            await RecordAsync(AuditActions.SignedOut, id, user.Identity?.Name, null);
        }
    }

    private Task RecordFailureAsync(SignInResult result, ApplicationUser? user, string? attemptedName, string method)
    {
        var (action, why) = result switch
        {
            { IsLockedOut: true } => (AuditActions.LockedOut, "the account is locked out"),
            { IsNotAllowed: true } => (AuditActions.SignInFailed, "the account may not sign in yet"),
            _ when user is null && attemptedName is not null => (AuditActions.SignInFailed, "no such account"),
            _ => (AuditActions.SignInFailed, "wrong credentials"),
        };
        return RecordAsync(action, user?.Id, user?.UserName ?? attemptedName, $"{method}: {why}");
    }

    private Task RecordAsync(string action, string? userId, string? userName, string? detail)
    {
        var name = string.IsNullOrWhiteSpace(userName) ? userId ?? Anonymous : userName.Trim();
        if (name.Length > MaxNameLength)
        {
            name = name[..MaxNameLength];
        }

        var from = Context.Connection.RemoteIpAddress is { } address ? $"from {address}" : null;
        var text = string.Join("; ", new[] { detail, from }.Where(t => t is not null));
        return audit.RecordAsync(
            AuditEvent.Create(clock.GetUtcNow(), userId ?? Anonymous, name, action, "Account", userId ?? "", detail: text.Length == 0 ? null : text),
            Context.RequestAborted);
    }
}
