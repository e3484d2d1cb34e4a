/// The gunicorn config Flask's deployment guide ships, exactly: read by the
/// gunicorn.conf.py tests and the integration test that loads it.
public enum GunicornGuide {
    public static let text = """
    import multiprocessing

    # Server socket
    bind = '0.0.0.0:8000'
    backlog = 2048

    # Worker processes
    workers = multiprocessing.cpu_count() * 2 + 1
    worker_class = 'sync'
    worker_connections = 1000
    timeout = 30
    keepalive = 2

    # Logging
    accesslog = 'logs/access.log'
    errorlog = 'logs/error.log'
    loglevel = 'info'

    # Process naming
    proc_name = 'flask-app'

    # Server mechanics
    daemon = False
    pidfile = 'gunicorn.pid'

    """
}
