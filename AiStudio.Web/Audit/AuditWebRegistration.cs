using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;

namespace AiStudio.Web.Audit;

internal static class AuditWebRegistration
{
    /// <summary>
    /// Call after Identity's sign-in manager is registered: the auditing one takes its place and hands each
    /// sign-in on to it, whatever class it is.
    /// </summary>
    public static IServiceCollection AddAuditWeb(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(SignInManager<ApplicationUser>))?.ImplementationType
            ?? typeof(SignInManager<ApplicationUser>);
        services.AddScoped<SignInManager<ApplicationUser>>(sp => ActivatorUtilities.CreateInstance<AuditingSignInManager>(
            sp, (SignInManager<ApplicationUser>)ActivatorUtilities.CreateInstance(sp, registered)));
        return services;
    }
}
