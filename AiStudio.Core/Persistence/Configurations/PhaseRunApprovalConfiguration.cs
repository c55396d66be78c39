using AiStudio.Core.Builds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class PhaseRunApprovalConfiguration : IEntityTypeConfiguration<PhaseRunApproval>
{
    public void Configure(EntityTypeBuilder<PhaseRunApproval> builder)
    {
        builder.HasKey(a => a.Id);

        // Created with its id by PhaseRun.RecordApproval: a new approval must be inserted, not updated.
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.ApproverId).HasMaxLength(450).IsRequired();
        builder.Property(a => a.ApproverName).HasMaxLength(256).IsRequired();

        // The domain refuses a second approval by the same person; the index keeps it so under a race.
        builder.HasIndex(a => new { a.PhaseRunId, a.ApproverId }).IsUnique();
    }
}
