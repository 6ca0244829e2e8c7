from fastapi import APIRouter

router = APIRouter()
public = APIRouter()
