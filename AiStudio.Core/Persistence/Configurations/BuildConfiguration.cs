using AiStudio.Core.Builds;
using AiStudio.Core.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class BuildConfiguration : IEntityTypeConfiguration<Build>
{
    public void Configure(EntityTypeBuilder<Build> builder)
    {
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Title).HasMaxLength(Build.TitleMaxLength).IsRequired();
        builder.Property(b => b.Requirements).HasMaxLength(Build.RequirementsMaxLength).IsRequired();
        builder.Property(b => b.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(b => b.SuspendedPhase).HasConversion<string>().HasMaxLength(20);
        builder.Property(b => b.CreatedBy).HasMaxLength(450).IsRequired();
        builder.Property(b => b.Version).IsConcurrencyToken();
        builder.HasOne<Project>().WithMany().HasForeignKey(b => b.ProjectId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(b => b.Runs).WithOne().HasForeignKey(r => r.BuildId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(b => b.Runs).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Property(b => b.StatusReason).HasMaxLength(4000);
        builder.Property(b => b.Policy).HasConversion<string>().HasMaxLength(20);
        builder.Property(b => b.CostBudget).HasPrecision(18, 6);
        builder.Ignore(b => b.CurrentPhase);
        builder.Ignore(b => b.CurrentRun);
        builder.Ignore(b => b.TotalCost);
        builder.Ignore(b => b.BudgetSpent);
        builder.HasIndex(b => new { b.ProjectId, b.UpdatedAt });

        // The board: everyone's newest builds first (admins, and members of many projects).
        builder.HasIndex(b => b.UpdatedAt);
        builder.HasIndex(b => b.State);
    }
}
