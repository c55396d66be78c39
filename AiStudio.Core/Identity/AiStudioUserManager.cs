using AiStudio.Core.Audit;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Identity;

/// <summary>
/// Identity's user manager, stamping each new account with the time it was made, and recording each change a person
/// makes to their own account's credentials (sign-up, password, email, two-factor) in the audit trail. The event is
/// added to the scope's DbContext, which Identity's store saves the change with: both commit together, or neither.
/// Every page and any other caller goes through here, so none of them can make the change unrecorded.
/// </summary>
internal sealed class AiStudioUserManager(
    IUserStore<ApplicationUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<ApplicationUser> passwordHasher,
    IEnumerable<IUserValidator<ApplicationUser>> userValidators,
    IEnumerable<IPasswordValidator<ApplicationUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<ApplicationUser>> logger,
    AiStudioDbContext db,
    TimeProvider clock)
    : UserManager<ApplicationUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    private const string Off = "off";
    private const string On = "on";

    public override Task<IdentityResult> CreateAsync(ApplicationUser user)
    {
        user.CreatedAt ??= clock.GetUtcNow();
        return AuditedAsync(user, AuditActions.AccountCreated, () => base.CreateAsync(user));
    }

    public override Task<IdentityResult> ChangePasswordAsync(ApplicationUser user, string currentPassword, string newPassword) =>
        AuditedAsync(user, AuditActions.PasswordChanged, () => base.ChangePasswordAsync(user, currentPassword, newPassword));

    public override Task<IdentityResult> AddPasswordAsync(ApplicationUser user, string password) =>
        AuditedAsync(user, AuditActions.PasswordSet, () => base.AddPasswordAsync(user, password));

    public override Task<IdentityResult> ResetPasswordAsync(ApplicationUser user, string token, string newPassword) =>
        AuditedAsync(user, AuditActions.PasswordReset, () => base.ResetPasswordAsync(user, token, newPassword));

    public override Task<IdentityResult> ChangeEmailAsync(ApplicationUser user, string newEmail, string token) =>
        AuditedAsync(user, AuditActions.EmailChanged, () => base.ChangeEmailAsync(user, newEmail, token), before: user.Email, after: newEmail);

    public override async Task<IdentityResult> SetTwoFactorEnabledAsync(ApplicationUser user, bool enabled)
    {
        var was = await GetTwoFactorEnabledAsync(user);
        return was == enabled
            ? await base.SetTwoFactorEnabledAsync(user, enabled)
            : await AuditedAsync(user, enabled ? AuditActions.TwoFactorEnabled : AuditActions.TwoFactorDisabled,
                () => base.SetTwoFactorEnabledAsync(user, enabled), before: was ? On : Off, after: enabled ? On : Off);
    }

    public override Task<IdentityResult> ResetAuthenticatorKeyAsync(ApplicationUser user) =>
        AuditedAsync(user, AuditActions.AuthenticatorReset, () => base.ResetAuthenticatorKeyAsync(user));

    public override async Task<IEnumerable<string>?> GenerateNewTwoFactorRecoveryCodesAsync(ApplicationUser user, int number)
    {
        IEnumerable<string>? codes = null;
        await AuditedAsync(user, AuditActions.RecoveryCodesGenerated, async () =>
        {
            codes = await base.GenerateNewTwoFactorRecoveryCodesAsync(user, number);
            return codes is null ? IdentityResult.Failed() : IdentityResult.Success;
        }, detail: $"{number} codes");
        return codes;
    }

    /// <summary>Adds the event, lets Identity make and save the change, and takes the event back if the change failed.</summary>
    private async Task<IdentityResult> AuditedAsync(
        ApplicationUser user, string action, Func<Task<IdentityResult>> change, string? before = null, string? after = null, string? detail = null)
    {
        var entry = db.AuditEvents.Add(AuditEvent.Create(
            clock.GetUtcNow(), user.Id, user.Email ?? user.UserName ?? user.Id, action, "Account", user.Id,
            before: before, after: after, detail: detail));
        var succeeded = false;
        try
        {
            var result = await change();
            succeeded = result.Succeeded;
            return result;
        }
        finally
        {
            if (!succeeded && entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
        }
    }
}
