using AiStudio.Core.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ActorId).HasMaxLength(450).IsRequired();
        builder.Property(e => e.ActorName).HasMaxLength(256).IsRequired();
        builder.Property(e => e.Action).HasMaxLength(100).IsRequired();
        builder.Property(e => e.EntityType).HasMaxLength(50).IsRequired();
        builder.Property(e => e.EntityId).HasMaxLength(100).IsRequired();
        builder.Property(e => e.ModelId).HasMaxLength(200);
        builder.Property(e => e.Cost).HasPrecision(18, 6);
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.Hash).HasMaxLength(64).IsUnicode(false);
        builder.Ignore(e => e.IsSealed);

        // The chain position is unique; unsealed rows (null) are many, which SQLite allows and SQL Server
        // gets through EF's default filter on unique indexes over nullable columns.
        builder.HasIndex(e => e.Sequence).IsUnique();

        // Every filter of the audit page ends in the id, so a keyset page (newest first) reads only its rows.
        builder.HasIndex(e => new { e.OccurredAt, e.Id });
        builder.HasIndex(e => new { e.ActorId, e.Id });
        builder.HasIndex(e => new { e.Action, e.Id });
        builder.HasIndex(e => new { e.BuildId, e.Id });
        builder.HasIndex(e => new { e.ProjectId, e.Id });
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.LastSequence).IsConcurrencyToken();
        builder.Property(h => h.LastHash).HasMaxLength(64).IsUnicode(false).IsRequired();
        builder.HasData(new { Id = AuditChainHead.SingletonId, LastSequence = 0L, LastHash = AuditChainHash.Genesis });
    }
}
