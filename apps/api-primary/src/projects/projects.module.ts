import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';
import { SecretScopeService } from './secret-scope.service';

/** Projects and their environments (`/api/v1/projects`); a new project gets its key from KeysModule. */
@Module({
  imports: [KeysModule],
  controllers: [ProjectsController],
  providers: [ProjectsService, SecretScopeService],
  exports: [ProjectsService, SecretScopeService],
})
export class ProjectsModule {}
