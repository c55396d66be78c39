using AiStudio.Core.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Billing;

internal static class BillingRegistration
{
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BillingOptions>()
            .Bind(configuration.GetSection(BillingOptions.Section))
            .Validate(o => o.Plans.Count == 0 || o.Plans.ContainsKey(o.DefaultPlan), "Billing:DefaultPlan must name one of Billing:Plans.")
            .Validate(o => o.GracePeriodDays >= 0, "Billing:GracePeriodDays cannot be negative.")
            .ValidateOnStart();
        services.AddSingleton(sp => new PlanCatalog(sp.GetRequiredService<IOptions<BillingOptions>>().Value));
        services.AddSingleton<StripeGateway>();
        services.AddSingleton<IBillingEvents, InProcessBillingEvents>();
        services.AddOutboxHandler<BillingChanged>((sp, change, _) =>
        {
            sp.GetRequiredService<IBillingEvents>().Publish(change);
            return Task.CompletedTask;
        });
        services.AddSingleton<IEntitlementService, EntitlementService>();
        services.AddSingleton<IBillingService, BillingService>();
        services.AddSingleton<IStripeWebhookProcessor, StripeWebhookProcessor>();
        return services;
    }
}
