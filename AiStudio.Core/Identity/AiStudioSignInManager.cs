using System.Security.Claims;
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
    TimeProvider clock)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task SignInWithClaimsAsync(ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
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

        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
    }
}
