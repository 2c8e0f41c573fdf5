"""backup-drift: a declarative drift checker for Pinecone backup schedules."""

__version__ = "1.0.0"
