using AiStudio.Core.Builds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class PhaseRunConfiguration : IEntityTypeConfiguration<PhaseRun>
{
    public void Configure(EntityTypeBuilder<PhaseRun> builder)
    {
        builder.HasKey(r => r.Id);

        // The build creates its runs with their ids set; a new run found in Build.Runs must be inserted, not updated.
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Phase).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Role).HasConversion<string>().HasMaxLength(30);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Provider).HasMaxLength(40);
        builder.Property(r => r.ModelId).HasMaxLength(200);
        builder.Property(r => r.DecidedBy).HasMaxLength(256);
        builder.Property(r => r.Error).HasMaxLength(4000);
        builder.Property(r => r.EditedBy).HasMaxLength(256);
        builder.Property(r => r.Cost).HasPrecision(18, 6);
        builder.Ignore(r => r.HandedOnOutput);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => new { r.BuildId, r.Phase, r.Attempt }).IsUnique();
        builder.HasIndex(r => r.Status);
        builder.HasMany(r => r.Approvals).WithOne().HasForeignKey(a => a.PhaseRunId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(r => r.Approvals).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
