"""The running service's spine: settings, storage, queue, worker, pipeline, hotfolder, CLI."""
