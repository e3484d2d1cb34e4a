"""Reference for the benchmarks: the users/posts/auth API (docs in API.md) as a
typical Flask deployment writes it -- Flask + Flask-SQLAlchemy +
flask-jwt-extended + Werkzeug password hashing -- served by gunicorn sync
workers. Only the routes the benchmarks measure, plus /health.

    DATABASE_URL=postgresql://... JWT_SECRET_KEY=... gunicorn -w 5 -b 127.0.0.1:8000 app:app
"""
import os
import re
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token, get_jwt_identity, jwt_required
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash

app = Flask(__name__)
# psycopg2 named explicitly: SQLAlchemy 2.1 defaults postgresql:// to psycopg 3.
app.config["SQLALCHEMY_DATABASE_URI"] = re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", os.environ["DATABASE_URL"])
app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=15)
app.config["JWT_REFRESH_TOKEN_EXPIRES"] = timedelta(days=30)
db = SQLAlchemy(app)
jwt = JWTManager(app)


def now():
    return datetime.now(timezone.utc)


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    name = db.Column(db.String(100), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now, onupdate=now)

    def to_dict(self):
        return {"id": self.id, "email": self.email, "name": self.name,
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat()}


class Post(db.Model):
    __tablename__ = "posts"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    content = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now, onupdate=now)

    def to_dict(self):
        return {"id": self.id, "user_id": self.user_id, "title": self.title, "content": self.content,
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat()}


def error(status, code, message):
    return jsonify({"error": code, "message": message}), status


@jwt.unauthorized_loader
def _missing_token(reason):
    return error(401, "unauthorized", reason)


@jwt.invalid_token_loader
def _invalid_token(reason):
    return error(401, "unauthorized", reason)


@jwt.expired_token_loader
def _expired_token(header, payload):
    return error(401, "unauthorized", "Token has expired")


@app.errorhandler(404)
def _not_found(e):
    return error(404, "not_found", "Resource not found")


@app.errorhandler(405)
def _method_not_allowed(e):
    return error(405, "method_not_allowed", "Method not allowed")


def page_args():
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        return None
    if page < 1 or per_page < 1:
        return None
    return page, min(per_page, 100)


@app.get("/health")
def health():
    return jsonify({"status": "healthy"})


@app.post("/auth/login")
def login():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not data.get("email") or not data.get("password"):
        return error(400, "bad_request", "email and password are required")
    user = db.session.execute(db.select(User).filter_by(email=data["email"])).scalar_one_or_none()
    if user is None or not check_password_hash(user.password_hash, data["password"]):
        return error(401, "unauthorized", "Invalid email or password")
    identity = str(user.id)
    return jsonify({"access_token": create_access_token(identity=identity, fresh=True),
                    "refresh_token": create_refresh_token(identity=identity),
                    "token_type": "Bearer", "user": user.to_dict()})


@app.get("/api/users")
def list_users():
    args = page_args()
    if args is None:
        return error(400, "bad_request", "page and per_page must be positive integers")
    page, per_page = args
    p = db.paginate(db.select(User).order_by(User.id), page=page, per_page=per_page, error_out=False)
    return jsonify({"users": [u.to_dict() for u in p.items], "total": p.total,
                    "page": page, "per_page": per_page, "pages": p.pages})


@app.get("/api/users/<int:user_id>")
def get_user(user_id):
    user = db.get_or_404(User, user_id)
    return jsonify(user.to_dict())


@app.get("/api/users/<int:user_id>/posts")
def user_posts(user_id):
    db.get_or_404(User, user_id)
    args = page_args()
    if args is None:
        return error(400, "bad_request", "page and per_page must be positive integers")
    page, per_page = args
    query = db.select(Post).filter_by(user_id=user_id).order_by(Post.created_at.desc(), Post.id.desc())
    p = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify({"posts": [x.to_dict() for x in p.items], "total": p.total,
                    "page": page, "per_page": per_page, "pages": p.pages})


@app.post("/api/posts")
@jwt_required()
def create_post():
    user = db.session.get(User, int(get_jwt_identity()))
    if user is None:
        return error(401, "unauthorized", "User not found")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error(400, "bad_request", "Invalid JSON")
    title, content = data.get("title"), data.get("content")
    if not isinstance(title, str) or not title.strip() or not isinstance(content, str) or len(title) > 200:
        return error(400, "bad_request", "title and content are required")
    post = Post(user_id=user.id, title=title, content=content)
    db.session.add(post)
    db.session.commit()
    return jsonify(post.to_dict()), 201
