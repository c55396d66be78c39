using AiStudio.Core.Billing;
using AiStudio.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> builder)
    {
        builder.HasKey(a => a.UserId);
        builder.Property(a => a.UserId).HasMaxLength(450);
        builder.Property(a => a.StripeCustomerId).HasMaxLength(255);
        builder.Property(a => a.StripeSubscriptionId).HasMaxLength(255);
        builder.Property(a => a.PlanName).HasMaxLength(100);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.StripeCustomerId).IsUnique();
        builder.HasMany(a => a.Subscriptions).WithOne().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(a => a.Subscriptions).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Ignore(a => a.LiveSubscriptions);
    }
}

internal sealed class ProcessedStripeEventConfiguration : IEntityTypeConfiguration<ProcessedStripeEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedStripeEvent> builder)
    {
        // The event id is the key, so a second insert of the same event fails: that is the idempotency guarantee.
        builder.HasKey(e => e.EventId);
        builder.Property(e => e.EventId).HasMaxLength(255);
        builder.Property(e => e.Type).HasMaxLength(100).IsRequired();
        builder.HasIndex(e => e.ProcessedAt);
    }
}

internal sealed class BillingSubscriptionConfiguration : IEntityTypeConfiguration<BillingSubscription>
{
    public void Configure(EntityTypeBuilder<BillingSubscription> builder)
    {
        // The subscription id is the key: two deliveries that both meet a new subscription cannot both insert it.
        builder.HasKey(s => s.SubscriptionId);
        builder.Property(s => s.SubscriptionId).HasMaxLength(255);
        builder.Property(s => s.UserId).HasMaxLength(450);
        builder.Property(s => s.PlanName).HasMaxLength(100);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(32);
        builder.HasIndex(s => s.UserId);
    }
}
